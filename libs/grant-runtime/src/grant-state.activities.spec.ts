import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import {
  TOPICS,
  grantStateEventSchema,
  type GrantStateEvent,
  type GrantView,
} from '@lapse/contracts';
import { createGrantStateActivities } from './grant-state.activities';

/** Activity failures are expected here; keep the SDK's logs quiet. */
const env = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

const USER = '8f14e45f-ceea-4e7a-9f6b-2c3d4e5f6a7b';
const RESOURCE = '1f0e3dad-9990-4a5b-8c7d-6e5f4a3b2c1d';
const view: GrantView = {
  userId: USER,
  resourceId: RESOURCE,
  state: 'LOCKED',
  policy: {
    autoLock: { durationSeconds: 90, approval: 'MANUAL' },
    accessRequests: null,
    expiresAt: '2025-06-01T00:00:00.000Z',
    sourceGroupIds: ['g'],
  },
  lockReason: 'AUTO_LOCK',
  lastAccessAt: '2025-01-01T00:00:00.000Z',
  lockedAt: '2025-01-01T00:01:30.000Z',
  activeUntil: null,
  autoLockAt: null,
  lastAdminUnlockAt: null,
  lastAdminUnlockBy: null,
  openRequest: null,
  createdAt: '2024-12-31T00:00:00.000Z',
  version: 7,
};

describe('publishGrantState', () => {
  it('publishes the grant state record to grants.state.v1, keyed userId:resourceId', async () => {
    const sent: { topic: string; key: string; value: GrantStateEvent }[] = [];
    const activities = createGrantStateActivities({
      publish: async (topic, key, value) => {
        sent.push({ topic, key, value });
      },
    });
    await env().run(activities.publishGrantState, view);
    expect(sent).toEqual([
      {
        topic: TOPICS.grantState,
        key: `${USER}:${RESOURCE}`,
        value: {
          userId: USER,
          resourceId: RESOURCE,
          state: 'LOCKED',
          lastAccessAt: '2025-01-01T00:00:00.000Z',
          lockedAt: '2025-01-01T00:01:30.000Z',
          activeUntil: null,
          expiresAt: '2025-06-01T00:00:00.000Z',
          autoLockAt: null,
          autoLockDurationSeconds: 90,
          version: 7,
        },
      },
    ]);
    expect(grantStateEventSchema.parse(sent[0].value)).toEqual(sent[0].value);
  });

  it('carries the auto-lock deadline of an ACTIVE grant and its duration (rule 1)', async () => {
    const sent: GrantStateEvent[] = [];
    const activities = createGrantStateActivities({
      publish: async (_topic, _key, value) => {
        sent.push(value);
      },
    });
    const active: GrantView = {
      ...view,
      state: 'ACTIVE',
      lockReason: null,
      autoLockAt: '2025-01-01T00:01:30.000Z',
    };
    await env().run(activities.publishGrantState, active);
    await env().run(activities.publishGrantState, {
      ...active,
      autoLockAt: null,
      policy: { ...view.policy, autoLock: null },
      version: 8,
    });
    expect(sent.map((e) => [e.autoLockAt, e.autoLockDurationSeconds])).toEqual([
      ['2025-01-01T00:01:30.000Z', 90],
      [null, null],
    ]);
  });

  it('lets a publish failure propagate so Temporal retries', async () => {
    const activities = createGrantStateActivities({
      publish: async () => {
        throw new Error('broker down');
      },
    });
    await expect(env().run(activities.publishGrantState, view)).rejects.toThrow('broker down');
  });

  it('refuses a malformed view without retrying', async () => {
    const activities = createGrantStateActivities({ publish: async () => undefined });
    const err = await env()
      .run(activities.publishGrantState, { ...view, lockedAt: 'yesterday' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe('InvalidGrantState');
  });
});
