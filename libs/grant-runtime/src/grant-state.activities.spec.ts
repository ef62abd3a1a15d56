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

const view: GrantView = {
  userId: 'u-1',
  resourceId: 'r-1',
  state: 'LOCKED',
  policy: {
    autoLock: { durationSeconds: 90, approval: 'MANUAL' },
    accessRequests: null,
    expiresAt: null,
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
        key: 'u-1:r-1',
        value: {
          userId: 'u-1',
          resourceId: 'r-1',
          state: 'LOCKED',
          lastAccessAt: '2025-01-01T00:00:00.000Z',
          lockedAt: '2025-01-01T00:01:30.000Z',
          activeUntil: null,
          version: 7,
        },
      },
    ]);
    expect(grantStateEventSchema.parse(sent[0].value)).toEqual(sent[0].value);
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
