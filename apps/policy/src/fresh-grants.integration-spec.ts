/**
 * Rule 11 across services: a grant that ends and is given again is a fresh grant, ACTIVE (LOCKED
 * under JIT) in access-tracking's decisions within seconds — also when the re-grant reaches the
 * ended run while it is still delivering its last effects. Real Postgres, Kafka, Temporal; the
 * policy and access-tracking services as processes, the grant workflow worker in this process.
 */
import type { Worker } from '@temporalio/worker';
import {
  ACTIVITY_TASK_QUEUES,
  type GrantRef,
  type GrantView,
  type RequestActivities,
} from '@lapse/contracts';
import { signProxyToken } from '@lapse/auth';
import { createActivityWorker } from '@lapse/grant-runtime';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';
import { waitFor, stack, stackTemporalSettings } from '@lapse/testing';
import { connectTemporalWorker } from '@lapse/temporal';

jest.setTimeout(180_000);

let s: LapseStack;
let proxyToken: string;

beforeAll(async () => {
  s = await startLapseStack('fresh-grants', { services: ['access-tracking'] });
  proxyToken = await signProxyToken(s.serviceSecret, 'it-proxy');
});
afterAll(async () => {
  await s?.stop();
});

interface Decision {
  allowed: boolean;
  state: string;
}
async function decision(userId: string, resourceId: string): Promise<Decision> {
  const url = `${s.services['access-tracking']?.url}/v1/decisions?userId=${userId}&resourceId=${resourceId}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${proxyToken}` } });
  return (await res.json()) as Decision;
}
const decisionIs = (userId: string, resourceId: string, state: string, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const d = await decision(userId, resourceId);
      return d.state === state ? d : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `decision ${state}` },
  );
const grantView = async (grant: GrantRef): Promise<GrantView> =>
  (await s.grants.state(grant)) as GrantView;

const autoLock = { autoLock: { durationSeconds: 3600, approval: 'MANUAL' }, accessRequests: null };

// How fast a re-grant reaches decisions is measured by `npm run bench -- regrant`, not here.
it('revoke → re-add: ACTIVE in decisions again, at a higher version', async () => {
  const a = s.admin;
  const u = await a.user('Re Added', `readded-${s.suffix}@it.lapse`);
  const g = await a.group(`readd-${s.suffix}`, [u.id]);
  const r = await a.resource(`Readd ${s.suffix}`, autoLock);
  await a.assign(r.id, g.id);
  await decisionIs(u.id, r.id, 'ACTIVE');

  await a.call('DELETE', `/v1/groups/${g.id}/members/${u.id}`);
  const revoked = await decisionIs(u.id, r.id, 'REVOKED');
  expect(revoked.allowed).toBe(false);
  const revokedVersion = (await grantView({ userId: u.id, resourceId: r.id })).version;

  await a.call('POST', `/v1/groups/${g.id}/members`, { userId: u.id });
  const back = await decisionIs(u.id, r.id, 'ACTIVE');
  expect(back.allowed).toBe(true);
  const fresh = await grantView({ userId: u.id, resourceId: r.id });
  expect(fresh.state).toBe('ACTIVE');
  expect(fresh.version).toBeGreaterThan(revokedVersion);
});

it('assignment deleted → put back: ACTIVE again', async () => {
  const a = s.admin;
  const u = await a.user('Put Back', `putback-${s.suffix}@it.lapse`);
  const g = await a.group(`putback-${s.suffix}`, [u.id]);
  const r = await a.resource(`Putback ${s.suffix}`, autoLock);
  await a.assign(r.id, g.id);
  await decisionIs(u.id, r.id, 'ACTIVE');
  await a.call('DELETE', `/v1/resources/${r.id}/assignments/${g.id}`);
  await decisionIs(u.id, r.id, 'REVOKED');
  await a.assign(r.id, g.id);
  expect((await decisionIs(u.id, r.id, 'ACTIVE')).allowed).toBe(true);
});

it('a re-grant that reaches the ended run while it still delivers its last effects starts the next run', async () => {
  const a = s.admin;
  const u = await a.user('Still Ending', `ending-${s.suffix}@it.lapse`);
  const g = await a.group(`ending-${s.suffix}`, [u.id]);
  const r = await a.resource(`Ending ${s.suffix}`, {
    autoLock: null,
    accessRequests: { accessPeriodSeconds: 3600, approval: 'MANUAL' },
  });
  await a.assign(r.id, g.id);
  await decisionIs(u.id, r.id, 'LOCKED');
  // An open request whose records nobody takes yet (no requests service runs here): once the
  // grant is revoked, the run waits to deliver them — it is "finishing".
  await s.grants.submit(
    { userId: u.id, resourceId: r.id },
    { requestId: `req-${s.suffix}`, userId: u.id, reason: 'need it' },
  );
  await a.call('DELETE', `/v1/groups/${g.id}/members/${u.id}`);
  await decisionIs(u.id, r.id, 'REVOKED');
  const ended = await grantView({ userId: u.id, resourceId: r.id });
  expect(ended.state).toBe('REVOKED');

  await a.call('POST', `/v1/groups/${g.id}/members`, { userId: u.id });
  // The re-grant is held by the ending run, not lost: once its records are delivered, it goes on.
  const delivered: string[] = [];
  const requests: RequestActivities = {
    recordRequest: async ({ event }) => {
      delivered.push(event);
    },
  };
  const connection = await connectTemporalWorker(stackTemporalSettings());
  let worker: Worker | undefined;
  try {
    worker = await createActivityWorker({
      connection,
      namespace: stack.temporalNamespace,
      taskQueue: ACTIVITY_TASK_QUEUES.requests,
      taskQueuePrefix: s.prefix,
      activities: requests,
    });
    const running = worker.run();
    const fresh = await decisionIs(u.id, r.id, 'LOCKED', 30_000);
    expect(fresh.allowed).toBe(false); // JIT: a fresh grant starts LOCKED (rule 4)
    expect(delivered).toEqual(['REQUESTED', 'CANCELLED']);
    const view = await grantView({ userId: u.id, resourceId: r.id });
    expect(view).toMatchObject({ state: 'LOCKED', openRequest: null });
    expect(view.version).toBeGreaterThan(ended.version);
    worker.shutdown();
    await running;
  } finally {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await connection.close();
  }
});
