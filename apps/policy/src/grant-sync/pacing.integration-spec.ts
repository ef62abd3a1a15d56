/**
 * The grant sync's pacing on the real Temporal server: the sync lets at most a window of grants
 * wait in the task queue for a grant worker, goes on as a worker picks them up, and never holds
 * a grant back for good (a window nobody picks up is let go after the max wait). Real Postgres,
 * Kafka and Temporal; the real GrantSyncWorker and grant client; the grant workflow worker in
 * this process, started only when the test says so.
 */
import { temporal } from '@temporalio/proto';
import { grantWorkflowId, type GrantRef } from '@lapse/contracts';
import { ensureTopics } from '@lapse/kafka';
import { kafkaAs, waitFor } from '@lapse/testing';
import { startGrantWorker, type RunningGrantWorker } from '@lapse/testing/lapse-stack';
import { GrantSyncWorker, type GrantDriver, type GrantSyncPacing } from './grant-sync.worker';
import { PolicyHarness } from '../testing/policy-harness';

jest.setTimeout(120_000);

const MEMBERS = 12;
const CONCURRENCY = 2;

let h: PolicyHarness;
let admin: string;
let grantWorker: RunningGrantWorker | undefined;
const started: GrantRef[] = [];

beforeAll(async () => {
  h = await PolicyHarness.start('policy_sync_pacing', { sync: false });
  admin = await h.token(await h.seedUser('admin@example.com', ['ADMIN']));
});
afterAll(async () => {
  await h?.terminate(started);
  await grantWorker?.stop();
  await h?.stop();
});

/** A group of MEMBERS users assigned to a new resource: one sync job of MEMBERS grants. */
async function assignedGroup(name: string): Promise<GrantRef[]> {
  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);
  const g = (await api('POST', '/v1/groups', { name })).id as string;
  const users: { id: string }[] = await h.ds.query(
    `INSERT INTO policy.users (email, name) SELECT $1 || i || '@pacing.it', $1 || i
     FROM generate_series(1, ${MEMBERS}) AS i RETURNING id`,
    [name],
  );
  await h.ds.query(
    `INSERT INTO policy.memberships (group_id, user_id) SELECT $1, unnest($2::uuid[])`,
    [g, users.map((u) => u.id)],
  );
  const r = (
    await api('POST', '/v1/resources', {
      name: `Pacing ${name}`,
      address: `pacing-${name}`,
      policy: { autoLock: { durationSeconds: 86_400, approval: 'MANUAL' }, accessRequests: null },
    })
  ).id as string;
  await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
  const grants = users.map(({ id }) => ({ userId: id, resourceId: r }));
  started.push(...grants);
  return grants;
}

/** The app's grant client, counting the grants it starts and the answers about pickups. */
function countingDriver() {
  const seen = { applied: 0, waiting: 0, pickedUp: 0 };
  const driver: GrantDriver = {
    apply: async (grant, policy, likelyNew) => {
      await h.grants.apply(grant, policy, likelyNew);
      seen.applied++;
    },
    revoke: (grant, outcome) => h.grants.revoke(grant, outcome),
    taskWaiting: async (grant) => {
      const waiting = await h.grants.taskWaiting(grant);
      if (waiting) seen.waiting++;
      else seen.pickedUp++;
      return waiting;
    },
  };
  return { driver, seen };
}

const syncWith = (driver: GrantDriver, pacing: GrantSyncPacing) =>
  new GrantSyncWorker(h.ds, driver, {
    pageSize: 500,
    concurrency: CONCURRENCY,
    pollMs: 50,
    logEvery: 1000,
    pacing,
  });

it('with no grant worker polling, a full window is let go after the max wait: every grant is started', async () => {
  const grants = await assignedGroup('unpicked');
  const { driver, seen } = countingDriver();
  const sync = syncWith(driver, { window: 4, checkMs: 20, maxWaitMs: 300 });

  await sync.drain();

  expect(seen.applied).toBe(MEMBERS);
  // It did wait: the grants it asked about were still queued.
  expect(seen.waiting).toBeGreaterThan(0);
  for (const grant of grants) expect(await h.grants.taskWaiting(grant)).toBe(true);
});

it('starts a window of grants, waits while no worker picks them up, and goes on as one does', async () => {
  const grants = await assignedGroup('paced');
  const { driver, seen } = countingDriver();
  const window = 4;
  const sync = syncWith(driver, { window, checkMs: 20, maxWaitMs: 600_000 });

  const job = sync.drain();
  // The window is full and its grants are still queued: the sync waits.
  await waitFor(() => (seen.waiting >= 3 ? true : undefined), { what: 'the sync waiting' });
  // Each lane looks at the window before its next grant: at most concurrency - 1 past it.
  expect(seen.applied).toBeGreaterThanOrEqual(window);
  expect(seen.applied).toBeLessThanOrEqual(window + CONCURRENCY - 1);
  expect(seen.pickedUp).toBe(0);

  await ensureTopics(kafkaAs('ops', `policy-test-${h.prefix}`));
  grantWorker = await startGrantWorker({
    taskQueuePrefix: h.prefix,
    clientId: `policy-test-${h.prefix}`,
  });
  await job;

  expect(seen.applied).toBe(MEMBERS);
  expect(seen.pickedUp).toBeGreaterThan(0);
  for (const grant of grants)
    await waitFor(
      async () => ((await h.grantState(grant))?.state === 'ACTIVE' ? true : undefined),
      {
        what: `grant of ${grant.userId} ACTIVE`,
      },
    );
});

it('a new grant is started without a policyChanged signal; one that exists still gets the new policy', async () => {
  const [grant] = await assignedGroup('started-plain');
  const { driver } = countingDriver();
  await syncWith(driver, { window: 4, checkMs: 20, maxWaitMs: 600_000 }).drain();
  await waitFor(async () => ((await h.grantState(grant))?.state === 'ACTIVE' ? true : undefined), {
    what: 'the new grant ACTIVE',
  });
  const history = await h.client.workflow.getHandle(grantWorkflowId(grant)).fetchHistory();
  const types = (history.events ?? []).map((e) => e.eventType);
  expect(types).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  expect(types).not.toContain(
    temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  );

  // Taken for new (this suite runs no grant-state projection), it exists: signalWithStart.
  const policy = (await h.grantState(grant))?.policy;
  if (!policy) throw new Error('no policy');
  const longer = { ...policy, autoLock: { durationSeconds: 172_800, approval: 'MANUAL' as const } };
  await h.grants.apply(grant, longer, true);
  await waitFor(
    async () =>
      (await h.grantState(grant))?.policy.autoLock?.durationSeconds === 172_800 ? true : undefined,
    { what: 'the new policy applied' },
  );
});
