import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { grantWorkflowId, type GrantRef } from '@lapse/contracts';
import { temporal } from '@temporalio/proto';
import { signProxyToken } from '@lapse/auth';
import { GrantClient } from '@lapse/grant-client';
import {
  waitFor,
  kafkaEnvAs,
  stack,
  startServiceProcess,
  type RunningService,
  stackTemporalSettings,
} from '@lapse/testing';
import { connectTemporal } from '@lapse/temporal';
import { LOCK_DUE_REASON } from '../decisions/decision';
import {
  SERVICE_SECRET,
  bootApp,
  createHarness,
  publishUsage,
  type Harness,
} from '../testing/integration';

const root = join(__dirname, '..', '..', '..', '..');
// Above the ingestion lag a loaded 2-core CI machine shows (a lock check sees only durable accesses).
const AUTO_LOCK_SECONDS = 5;

/**
 * The real grant workflow (grant-worker as a child process on this suite's task-queue prefix)
 * against this service: an idle grant locks and decisions say so; a grant in use never locks,
 * with no `accessed` signal: the workflow asks the pre-lock `latestAccess` activity, served from here.
 */
describe('access-tracking with the real grant workflow', () => {
  let h: Harness;
  let app: INestApplication;
  let url: string;
  let worker: RunningService | undefined;
  let connection: Connection;
  let grants: GrantClient;
  let temporalClient: Client;
  let token: string;

  beforeAll(async () => {
    h = await createHarness('access_tracking_workflow');
    // grant-worker's own schema (outbox) in this suite's database.
    const migrated = spawnSync(
      process.execPath,
      ['-r', 'reflect-metadata', '-r', '@swc-node/register', 'tools/scripts/migrate.ts'],
      {
        cwd: root,
        // Migrations create topics: as the operator, like `npm run migrate`.
        env: { ...process.env, ...kafkaEnvAs('ops'), DATABASE_URL: h.db.url },
        encoding: 'utf8',
      },
    );
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    ({ app, url } = await bootApp(h.config()));
    worker = await startServiceProcess(
      'grant-worker',
      { ...h.env, ...kafkaEnvAs('grant-worker') },
      { timeoutMs: 90_000 },
    );
    connection = await connectTemporal(stackTemporalSettings(), 1);
    temporalClient = new Client({ connection, namespace: stack.temporalNamespace });
    grants = new GrantClient(temporalClient, {
      taskQueuePrefix: h.env.LAPSE_TASK_QUEUE_PREFIX,
      requestTtlSeconds: 3600,
    });
    token = await signProxyToken(SERVICE_SECRET, 'proxy-test');
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await connection?.close();
    await h?.close();
  });

  const startGrant = (grant: GrantRef) =>
    grants.start(grant, {
      policy: {
        autoLock: { durationSeconds: AUTO_LOCK_SECONDS, approval: 'MANUAL' },
        accessRequests: null,
        expiresAt: null,
        sourceGroupIds: [`g-${h.suffix}`],
      },
    });
  const decisionOf = async (userId: string, resourceId: string) =>
    (await (
      await fetch(`${url}/v1/decisions?userId=${userId}&resourceId=${resourceId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as {
      allowed: boolean;
      state: string;
      reason: string;
      lockedAt?: string;
    };

  it('an idle grant locks and reads allowed: false; a grant in use stays ACTIVE', async () => {
    const resourceId = randomUUID();
    const busy = { userId: randomUUID(), resourceId };
    const idle = { userId: randomUUID(), resourceId };
    await startGrant(busy);
    await startGrant(idle);
    // The workflows publish their state; the projection learns both grants (each ACTIVE until
    // its first deadline: a refusal seen below is a lock, not a grant not known yet).
    await waitFor(
      async () =>
        (await decisionOf(busy.userId, busy.resourceId)).allowed &&
        (await decisionOf(idle.userId, idle.resourceId)).state !== 'NO_GRANT'
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'both grants known' },
    );

    // Use the busy grant for well over two auto-lock periods while the idle one locks.
    const until = Date.now() + AUTO_LOCK_SECONDS * 2500;
    let idleLocked: { allowed: boolean; state: string; reason: string } | undefined;
    while (Date.now() < until) {
      await publishUsage(h.producer, busy.userId, busy.resourceId, [new Date()]);
      const d = await decisionOf(idle.userId, idle.resourceId);
      if (!d.allowed) idleLocked ??= d;
      expect(await decisionOf(busy.userId, busy.resourceId)).toMatchObject({
        allowed: true,
        state: 'ACTIVE',
      });
      await new Promise((r) => setTimeout(r, 300)); // the proxy's pace, not a wait for a condition
    }
    idleLocked ??= await waitFor(
      async () => {
        const d = await decisionOf(idle.userId, idle.resourceId);
        return d.allowed ? undefined : d;
      },
      { what: 'idle grant locked' },
    );
    expect(idleLocked).toMatchObject({ allowed: false, state: 'LOCKED' });
    // Decisions refuse the idle grant from its deadline on — at once by the lock-due sweep
    // (rule 1), then by the workflow's own LOCKED record, which replaces that answer.
    const idleView = await waitFor(
      async () => {
        const v = await grants.state(idle);
        return v?.state === 'LOCKED' ? v : undefined;
      },
      { what: 'idle workflow LOCKED' },
    );
    const fromWorkflow = await waitFor(
      async () => {
        const d = await decisionOf(idle.userId, idle.resourceId);
        return d.reason !== LOCK_DUE_REASON ? d : undefined;
      },
      { what: 'the workflow’s LOCKED in decisions' },
    );
    expect(fromWorkflow).toEqual({
      allowed: false,
      state: 'LOCKED',
      reason: 'grant is locked: request access to unlock it',
      lockedAt: idleView.lockedAt,
    });

    const view = await grants.state(busy);
    expect(view?.state).toBe('ACTIVE');
    // The workflow learnt recent accesses by asking latestAccess at each auto-lock deadline; it
    // was never signalled (Temporal work per grant does not grow with use).
    expect(Date.parse(view?.lastAccessAt ?? '1970-01-01T00:00:00Z')).toBeGreaterThan(
      until - AUTO_LOCK_SECONDS * 1000,
    );
    const history = await temporalClient.workflow.getHandle(grantWorkflowId(busy)).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    const EventType = temporal.api.enums.v1.EventType;
    expect(types).not.toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    const asked = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'latestAccess',
    );
    expect(asked.length).toBeGreaterThanOrEqual(2);
  });
});
