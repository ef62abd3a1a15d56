import { waitFor } from '@lapse/testing';
import type { EffectivePolicy, GrantRef, GrantView } from '@lapse/contracts';
import { GrantSyncWorker, type GrantDriver } from './grant-sync/grant-sync.worker';
import { PolicyActivityHost } from './grants/activity-host';
import { PolicyHarness } from './testing/policy-harness';

const DAY = 86_400;
const autoLock = (seconds: number, approval: 'MANUAL' | 'AUTOMATIC' = 'MANUAL') => ({
  durationSeconds: seconds,
  approval,
});

describe('grants follow policy (real Postgres, Temporal with the grant workflow, Kafka)', () => {
  let h: PolicyHarness;
  let admin: string;
  const pairs: GrantRef[] = [];

  beforeAll(async () => {
    // The sync worker is off: each test runs it after the commit, which is exactly a crash between
    // "commit" and "workflow call" — the jobs are durable and the workflows converge when it runs.
    h = await PolicyHarness.start('policy_grants', {
      sync: false,
      workflows: true,
      consumers: true,
    });
    admin = await h.token(await h.seedUser('admin@example.com', ['ADMIN']));
  });
  afterAll(async () => {
    await h?.terminate(pairs);
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);
  const user = async (email: string) =>
    (await api('POST', '/v1/users', { email, name: email })).id as string;
  const group = async (name: string, members: string[]) => {
    const g = (await api('POST', '/v1/groups', { name })).id as string;
    if (members.length) await api('PUT', `/v1/groups/${g}/members`, { userIds: members });
    return g;
  };
  const track = (resourceId: string, ...userIds: string[]) =>
    userIds.forEach((userId) => pairs.push({ resourceId, userId }));
  /** Runs the sync worker until no job is left (retrying failed jobs once their backoff passes). */
  const converge = (worker: GrantSyncWorker = h.sync) =>
    waitFor(
      async () => {
        await worker.tick();
        return (await worker.pendingJobs()) === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, what: 'grant sync jobs to finish' },
    );
  const grantOf = (grant: GrantRef, ok: (v: GrantView) => boolean, what: string) =>
    waitFor(
      async () => {
        const v = await h.grantState(grant);
        return v && ok(v) ? v : undefined;
      },
      { timeoutMs: 30_000, what },
    );
  const policyOf = (v: GrantView): Pick<EffectivePolicy, 'autoLock' | 'sourceGroupIds'> => ({
    autoLock: v.policy.autoLock,
    sourceGroupIds: v.policy.sourceGroupIds,
  });

  it('inheritance: default, override, several groups (most permissive wins, source recorded); a new default changes only the inheriting grants', async () => {
    const [u1, u2, u3] = [
      await user('inh1@x.io'),
      await user('inh2@x.io'),
      await user('inh3@x.io'),
    ];
    const inherit = await group('inherit', [u1, u3]);
    const override = await group('override', [u2, u3]);
    const r = (
      await api('POST', '/v1/resources', {
        name: 'Gitlab',
        address: 'gitlab',
        policy: { autoLock: autoLock(30 * DAY), accessRequests: null },
      })
    ).id;
    track(r, u1, u2, u3);
    await api('PUT', `/v1/resources/${r}/assignments/${inherit}`, {});
    await api('PUT', `/v1/resources/${r}/assignments/${override}`, {
      policy: { autoLock: autoLock(7 * DAY, 'AUTOMATIC'), accessRequests: null },
    });

    expect(await h.grantState({ userId: u1, resourceId: r })).toBeNull(); // committed, not yet synced
    await converge();
    expect(policyOf(await grantOf({ userId: u1, resourceId: r }, () => true, 'u1 grant'))).toEqual({
      autoLock: autoLock(30 * DAY),
      sourceGroupIds: [inherit],
    });
    expect(policyOf(await grantOf({ userId: u2, resourceId: r }, () => true, 'u2 grant'))).toEqual({
      autoLock: autoLock(7 * DAY, 'AUTOMATIC'),
      sourceGroupIds: [override],
    });
    // u3: the longer duration from `inherit`, AUTOMATIC from `override` (field by field).
    expect(policyOf(await grantOf({ userId: u3, resourceId: r }, () => true, 'u3 grant'))).toEqual({
      autoLock: autoLock(30 * DAY, 'AUTOMATIC'),
      sourceGroupIds: [inherit, override].sort(),
    });

    const grants = (await api('GET', `/v1/users/${u3}/grants`)).items;
    expect(grants).toEqual([
      expect.objectContaining({
        resourceId: r,
        state: 'ACTIVE',
        policySource: { groupIds: [inherit, override].sort(), origin: 'MIXED' },
      }),
    ]);

    await api('PATCH', `/v1/resources/${r}`, {
      policy: { autoLock: autoLock(60 * DAY), accessRequests: null },
    });
    const jobs: { group_ids: string[] }[] = await h.ds.query(
      `SELECT group_ids FROM policy.grant_sync_jobs WHERE NOT done`,
    );
    expect(jobs).toEqual([{ group_ids: [inherit] }]); // the override assignment inherits nothing: its grants are not touched
    await converge();
    await grantOf(
      { userId: u1, resourceId: r },
      (v) => v.policy.autoLock?.durationSeconds === 60 * DAY,
      'u1 on the new default',
    );
    await grantOf(
      { userId: u3, resourceId: r },
      (v) => v.policy.autoLock?.durationSeconds === 60 * DAY,
      'u3 on the new default',
    );
    expect(
      policyOf((await h.grantState({ userId: u2, resourceId: r })) as GrantView).autoLock,
    ).toEqual(autoLock(7 * DAY, 'AUTOMATIC'));
  });

  it('membership and assignment removal revoke; a failure mid-job is retried and the grants converge', async () => {
    const [a, b] = [await user('rev-a@x.io'), await user('rev-b@x.io')];
    const g = await group('revokers', [a, b]);
    const r = (
      await api('POST', '/v1/resources', {
        name: 'DB',
        address: 'db',
        policy: { autoLock: null, accessRequests: null },
      })
    ).id;
    track(r, a, b);
    await converge();
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});

    // A worker whose Temporal calls fail after the first one: the job fails, is released, and retried.
    const real = h.grants;
    let calls = 0;
    const flaky: GrantDriver = {
      apply: async (...args) => {
        if (++calls > 1) throw new Error('injected crash');
        return real.apply(...args);
      },
      revoke: (...args) => real.revoke(...args),
    };
    const flakyWorker = new GrantSyncWorker(h.ds, flaky, {
      pageSize: 1,
      concurrency: 1,
      pollMs: 50,
      logEvery: 1,
    });
    expect(await flakyWorker.tick()).toBe(1);
    expect(await h.sync.pendingJobs()).toBe(1);
    const [job]: { attempts: number; last_error: string }[] = await h.ds.query(
      `SELECT attempts, last_error FROM policy.grant_sync_jobs WHERE NOT done`,
    );
    expect(job).toEqual({ attempts: 1, last_error: 'injected crash' });
    await converge();
    await grantOf({ userId: a, resourceId: r }, (v) => v.state === 'ACTIVE', 'a active');
    await grantOf({ userId: b, resourceId: r }, (v) => v.state === 'ACTIVE', 'b active');

    await api('DELETE', `/v1/groups/${g}/members/${a}`);
    await converge();
    await grantOf(
      { userId: a, resourceId: r },
      (v) => v.state === 'REVOKED',
      'a revoked after leaving the group',
    );
    expect((await h.grantState({ userId: b, resourceId: r }))?.state).toBe('ACTIVE');

    await api('DELETE', `/v1/resources/${r}/assignments/${g}`);
    await converge();
    await grantOf(
      { userId: b, resourceId: r },
      (v) => v.state === 'REVOKED',
      'b revoked after the assignment was removed',
    );

    const audit = (await api('GET', `/v1/audit-logs?category=ACCESS&resourceId=${r}`)).items;
    expect(audit[0]).toMatchObject({
      action: 'assignment.deleted',
      before: { groupId: g, resourceId: r },
      after: null,
    });
  });

  it('a running sync takes a queued job when it is announced, not at its next poll', async () => {
    const u = await user('announced@x.io');
    const g = await group('announced', [u]);
    const r = (
      await api('POST', '/v1/resources', {
        name: 'announced',
        address: 'announced',
        policy: { autoLock: null, accessRequests: null },
      })
    ).id;
    track(r, u);
    // Polls every 10 minutes: only the job's announcement (LISTEN/NOTIFY) can wake it in time.
    const worker = new GrantSyncWorker(h.ds, h.grants, {
      pageSize: 100,
      concurrency: 4,
      pollMs: 600_000,
      logEvery: 100,
    });
    worker.start();
    try {
      await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
      await grantOf({ userId: u, resourceId: r }, (v) => v.state === 'ACTIVE', 'u active');
      await api('DELETE', `/v1/groups/${g}/members/${u}`);
      await grantOf({ userId: u, resourceId: r }, (v) => v.state === 'REVOKED', 'u revoked');
      expect(await worker.pendingJobs()).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it('a shortened duration locks at once; an admin unlock re-activates; the report shows locked and last unlock', async () => {
    const u = await user('lock@x.io');
    const g = await group('lockers', [u]);
    const r = (
      await api('POST', '/v1/resources', {
        name: 'VPN',
        address: '10.0.0.0/8',
        policy: { autoLock: autoLock(30 * DAY), accessRequests: null },
      })
    ).id;
    track(r, u);
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    await converge();
    await grantOf({ userId: u, resourceId: r }, (v) => v.state === 'ACTIVE', 'active grant');

    await api('PATCH', `/v1/resources/${r}`, {
      policy: { autoLock: autoLock(1), accessRequests: null },
    });
    await converge();
    const locked = await grantOf(
      { userId: u, resourceId: r },
      (v) => v.state === 'LOCKED',
      'locked at once',
    );
    expect(locked.lockReason).toBe('AUTO_LOCK');

    // Give the lock 10 minutes again, so the unlocked grant stays ACTIVE for the assertions.
    await api('PATCH', `/v1/resources/${r}`, {
      policy: { autoLock: autoLock(600), accessRequests: null },
    });
    await converge();
    const unlocked = await h.call('POST', `/v1/users/${u}/resources/${r}/unlock`, admin);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ state: 'ACTIVE' });
    expect(unlocked.body.lastAdminUnlockAt).toEqual(expect.any(String));
    const nobody = await user('nobody@x.io');
    expect((await h.call('POST', `/v1/users/${nobody}/resources/${r}/unlock`, admin)).status).toBe(
      404,
    ); // no grant

    // Lock it again (shortened duration): the report must show both facts.
    await api('PATCH', `/v1/resources/${r}`, {
      policy: { autoLock: autoLock(1), accessRequests: null },
    });
    await converge();
    await grantOf({ userId: u, resourceId: r }, (v) => v.state === 'LOCKED', 'locked again');
    const csv = await waitFor(
      async () => {
        const res = await h.call('GET', `/v1/users/${u}/report.csv`, admin);
        const rows = res.text.trim().split('\r\n');
        return rows.length === 2 && rows[1].includes(',LOCKED,true,') ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'the report to show the locked grant' },
    );
    expect(csv[0]).toBe(
      'resource_id,resource_name,group_id,group_name,policy_source,auto_lock_seconds,auto_lock_approval,access_requests,access_period_seconds,access_requests_approval,expires_at,user_id,user_email,user_name,grant_state,locked_now,last_admin_unlock_at',
    );
    const cells = csv[1].split(',');
    expect(cells.slice(0, 12)).toEqual([
      r,
      'VPN',
      g,
      'lockers',
      'DEFAULT',
      '1',
      'MANUAL',
      'OFF',
      '',
      '',
      '',
      u,
    ]);
    expect(cells[14]).toBe('LOCKED');
    expect(cells[15]).toBe('true');
    expect(Date.parse(cells[16])).toBe(Date.parse(unlocked.body.lastAdminUnlockAt));

    const audit = (await api('GET', `/v1/audit-logs?resourceId=${r}`)).items;
    expect(audit.find((e: { action: string }) => e.action === 'grant.unlocked')).toMatchObject({
      before: { state: 'LOCKED' },
      after: { state: 'ACTIVE' },
    });
  });

  it('an admin unlock is audited once by the workflow, even when the caller dies before writing anything', async () => {
    const u = await user('crash-unlock@x.io');
    const g = await group('crash-unlockers', [u]);
    const r = (
      await api('POST', '/v1/resources', {
        name: 'Bastion',
        address: 'bastion',
        policy: { autoLock: autoLock(1), accessRequests: null },
      })
    ).id;
    track(r, u);
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    await converge();
    await grantOf({ userId: u, resourceId: r }, (v) => v.state === 'LOCKED', 'locked');
    await api('PATCH', `/v1/resources/${r}`, {
      policy: { autoLock: autoLock(600), accessRequests: null },
    });
    await converge();

    // The update sent as policy's handler sends it, and the handler then "crashes": nothing of
    // the HTTP path runs after it. The audit entry is there when the update answers.
    const adminId = (await h.seedUser('unlocking-admin@x.io', ['ADMIN'])).toLowerCase();
    const view = await h.grants.unlock({ userId: u, resourceId: r }, { actorId: adminId });
    const unlocks = async () =>
      (
        (await api('GET', `/v1/audit-logs?resourceId=${r}`)).items as {
          action: string;
          actorId: string;
          after: { lastAdminUnlockAt?: string };
        }[]
      ).filter((e) => e.action === 'grant.unlocked');
    expect(await unlocks()).toEqual([
      expect.objectContaining({
        actorId: adminId,
        before: expect.objectContaining({ state: 'LOCKED' }),
        after: expect.objectContaining({
          state: 'ACTIVE',
          lastAdminUnlockAt: view.lastAdminUnlockAt,
        }),
      }),
    ]);
    const [grantRow]: { last_admin_unlock_at: Date; last_admin_unlock_by: string }[] =
      await h.ds.query(
        'SELECT last_admin_unlock_at, last_admin_unlock_by FROM policy.grant_status WHERE user_id = $1 AND resource_id = $2',
        [u, r],
      );
    expect(grantRow).toMatchObject({ last_admin_unlock_by: adminId });
    expect(grantRow.last_admin_unlock_at.toISOString()).toBe(view.lastAdminUnlockAt);

    // Temporal retries activities (at least once): a second delivery records nothing more.
    await h.app.get(PolicyActivityHost).activities.recordAdminUnlock({
      userId: u,
      resourceId: r,
      actorId: adminId,
      at: view.lastAdminUnlockAt as string,
      before: { state: 'LOCKED', lockedAt: null, lastAccessAt: null },
      after: { state: 'ACTIVE', lastAccessAt: view.lastAccessAt, activeUntil: null },
    });
    expect(await unlocks()).toHaveLength(1);
  });
});
