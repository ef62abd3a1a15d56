import { grantWorkflowId } from '@lapse/contracts';
import { GrantClient } from '@lapse/grant-client';
import { metricsRegistry } from '@lapse/platform';
import { waitFor } from '@lapse/testing';
import { PolicyHarness } from './testing/policy-harness';

const DAY = 86_400;

/**
 * The admin API that runs an organisation: lists that page, PATCH that merges, POST defaults,
 * group and resource deletion that revokes the grants they gave, the resource's grants, the
 * audit log's filters. Real Postgres, Kafka and Temporal with the grant workflow.
 */
describe('admin API (real Postgres, Temporal, Kafka)', () => {
  let h: PolicyHarness;
  let admin: string;
  let adminId: string;
  const pairs: { resourceId: string; userId: string }[] = [];

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_admin_api', {
      sync: true,
      workflows: true,
      consumers: true,
      env: {
        LAPSE_RECONCILE_INTERVAL_MS: '200',
        LAPSE_RECONCILE_BATCH: '50',
        LAPSE_RECONCILE_STALE_AFTER_MS: '500',
      },
    });
    adminId = await h.seedUser('admin@example.com', ['ADMIN']);
    admin = await h.token(adminId);
  }, 60_000);
  afterAll(async () => {
    await h?.terminate(pairs);
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);
  /** Every item of a list, following nextCursor; fails on a repeated cursor. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const all = async (path: string, limit: number): Promise<any[]> => {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page = await api(
        'GET',
        `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(Object.keys(page).sort()).toEqual(['items', 'nextCursor']);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      if (cursor) {
        expect(seen.has(cursor)).toBe(false);
        seen.add(cursor);
      }
    } while (cursor);
    return items;
  };

  it('POST leaves out a policy field = off; PATCH merges what it names', async () => {
    const onlyAutoLock = await h.call('POST', '/v1/resources', admin, {
      name: 'merge',
      address: 'merge.example',
      policy: { autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' } },
    });
    expect(onlyAutoLock.status).toBe(201);
    expect(onlyAutoLock.body.policy).toEqual({
      autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
      accessRequests: null,
    });
    const id = onlyAutoLock.body.id as string;
    const jit = { accessPeriodSeconds: 3600, approval: 'AUTOMATIC' };
    const patched = await h.call('PATCH', `/v1/resources/${id}`, admin, {
      policy: { accessRequests: jit },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.policy).toEqual({
      autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
      accessRequests: jit,
    });
    const renamed = await api('PATCH', `/v1/resources/${id}`, { name: 'merged' });
    expect(renamed).toMatchObject({ name: 'merged', address: 'merge.example' });
    expect(renamed.policy.accessRequests).toEqual(jit);
    const off = await api('PATCH', `/v1/resources/${id}`, { policy: { autoLock: null } });
    expect(off.policy).toEqual({ autoLock: null, accessRequests: jit });
    const bad = await h.call('PATCH', `/v1/resources/${id}`, admin, {
      policy: { autoLock: { durationSeconds: 0, approval: 'MANUAL' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^policy\.autoLock\.durationSeconds/);
    expect((await api('GET', `/v1/resources/${id}`)).policy).toEqual(off.policy);
  });

  it('groups: list (paged), rename, delete — its assignments go and the grants they gave are revoked', async () => {
    const [u1, u2] = [await h.seedUser('g-u1@example.com'), await h.seedUser('g-u2@example.com')];
    const doomed = (await api('POST', '/v1/groups', { name: 'doomed' })).id as string;
    const keeper = (await api('POST', '/v1/groups', { name: 'keeper' })).id as string;
    await api('PUT', `/v1/groups/${doomed}/members`, { userIds: [u1, u2] });
    await api('PUT', `/v1/groups/${keeper}/members`, { userIds: [u2] });
    const r = (await api('POST', '/v1/resources', { name: 'gr', address: 'gr.example' }))
      .id as string;
    pairs.push({ resourceId: r, userId: u1 }, { resourceId: r, userId: u2 });
    await api('PUT', `/v1/resources/${r}/assignments/${doomed}`, {});
    await api('PUT', `/v1/resources/${r}/assignments/${keeper}`, {});
    await waitFor(
      async () =>
        (await h.grantState({ userId: u1, resourceId: r }))?.state === 'ACTIVE' &&
        (await h.grantState({ userId: u2, resourceId: r }))?.state === 'ACTIVE'
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'both grants ACTIVE' },
    );
    for (let i = 0; i < 5; i++) await api('POST', '/v1/groups', { name: `extra-${i}` });
    const groups = await all('/v1/groups', 2);
    expect(groups.map((g) => g.name)).toEqual(
      ['doomed', 'extra-0', 'extra-1', 'extra-2', 'extra-3', 'extra-4', 'keeper'].sort(),
    );
    expect(groups.find((g) => g.id === doomed)).toMatchObject({ memberCount: 2 });

    const renamed = await api('PATCH', `/v1/groups/${keeper}`, { name: 'keepers' });
    expect(renamed).toMatchObject({ id: keeper, name: 'keepers', memberIds: [u2] });

    expect((await h.call('DELETE', `/v1/groups/${doomed}`, admin)).status).toBe(204);
    expect((await h.call('GET', `/v1/groups/${doomed}`, admin)).status).toBe(404);
    expect((await h.call('DELETE', `/v1/groups/${doomed}`, admin)).status).toBe(404);
    await waitFor(
      async () =>
        (await h.grantState({ userId: u1, resourceId: r }))?.state === 'REVOKED' ? true : undefined,
      { timeoutMs: 30_000, what: 'u1 revoked: their only assignment went with the group' },
    );
    expect((await h.grantState({ userId: u2, resourceId: r }))?.state).toBe('ACTIVE'); // still through keepers
    const assignments = await api('GET', `/v1/resources/${r}/assignments`);
    expect(assignments.items.map((a: { groupId: string }) => a.groupId)).toEqual([keeper]);
    const audit = await api('GET', `/v1/audit-logs?actorId=${adminId}&category=ACCESS&limit=1000`);
    const deleted = audit.items.find((e: { action: string }) => e.action === 'group.deleted');
    expect(deleted.before).toMatchObject({
      id: doomed,
      memberIds: [u1, u2].sort(),
      assignments: [{ resourceId: r }],
    });
    expect(deleted.after).toBeNull();
  }, 90_000);

  it('resources: list (paged), grants per user, delete revokes every grant', async () => {
    const users = [
      await h.seedUser('rg-1@example.com'),
      await h.seedUser('rg-2@example.com'),
      await h.seedUser('rg-3@example.com'),
    ];
    const g = (await api('POST', '/v1/groups', { name: 'rg' })).id as string;
    await api('PUT', `/v1/groups/${g}/members`, { userIds: users });
    const r = (
      await api('POST', '/v1/resources', {
        name: 'zz-resource-grants',
        address: 'rg.example',
        policy: { accessRequests: { accessPeriodSeconds: 3600, approval: 'MANUAL' } },
      })
    ).id as string;
    users.forEach((userId) => pairs.push({ resourceId: r, userId }));
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    const grants = await waitFor(
      async () => {
        const list = await all(`/v1/resources/${r}/grants`, 2);
        return list.length === 3 && list.every((x) => x.state === 'LOCKED') ? list : undefined;
      },
      { timeoutMs: 30_000, what: 'three LOCKED JIT grants listed' },
    );
    expect(grants.map((x) => x.userId)).toEqual([...users].sort());
    expect(grants[0]).toMatchObject({
      email: expect.stringMatching(/^rg-\d@example\.com$/),
      userActive: true,
      lastAdminUnlockAt: null,
      openRequest: null,
    });
    const names = (await all('/v1/resources', 1)).map((x) => x.name);
    expect(names).toContain('zz-resource-grants');
    expect(names).toEqual([...names].sort());

    expect((await h.call('DELETE', `/v1/resources/${r}`, admin)).status).toBe(204);
    expect((await h.call('GET', `/v1/resources/${r}`, admin)).status).toBe(404);
    await waitFor(
      async () => {
        const states = await Promise.all(
          users.map(async (u) => (await h.grantState({ userId: u, resourceId: r }))?.state),
        );
        return states.every((s) => s === 'REVOKED') ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'every grant of the deleted resource REVOKED' },
    );
  }, 90_000);

  it('pages through 2,500 audit entries, each once, newest first, with filters', async () => {
    const r = (await api('POST', '/v1/resources', { name: 'audited', address: 'audit.example' }))
      .id as string;
    const subject = await h.seedUser('audited@example.com');
    // 2,500 entries, many sharing a timestamp (the id breaks the tie), appended as the API would.
    await h.ds.query(
      `INSERT INTO policy.audit_log (category, action, actor_id, entity_type, entity_id, resource_id, user_id, before, after, at)
       SELECT 'ACCESS', 'test.bulk', 'bulk-actor', 'thing', 'e' || n, $1, $2, 'null', to_jsonb(n),
         timestamptz '2030-01-01T00:00:00Z' + (n / 10) * interval '1 millisecond'
       FROM generate_series(1, 2500) AS n`,
      [r, subject],
    );
    const entries = await all(`/v1/audit-logs?actorId=bulk-actor`, 97);
    expect(entries).toHaveLength(2500);
    expect(new Set(entries.map((e) => e.id)).size).toBe(2500);
    const ats = entries.map((e) => Date.parse(e.at));
    expect(ats).toEqual([...ats].sort((a, b) => b - a));
    expect(new Set(entries.map((e) => e.after)).size).toBe(2500);

    const byUser = await all(`/v1/audit-logs?userId=${subject}&resourceId=${r}`, 1000);
    expect(byUser).toHaveLength(2500);
    const window = await all(
      `/v1/audit-logs?actorId=bulk-actor&since=2030-01-01T00:00:00.100Z&until=2030-01-01T00:00:00.200Z`,
      30,
    );
    expect(window).toHaveLength(1000); // n/10 in [100, 200): n in [1000, 2000)
    expect((await api('GET', `/v1/audit-logs?category=REQUEST&actorId=bulk-actor`)).items).toEqual(
      [],
    );
    const bad = await h.call('GET', '/v1/audit-logs?cursor=not-a-cursor', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^cursor: /);
    expect((await h.call('GET', '/v1/audit-logs?limit=1001', admin)).status).toBe(400);
  }, 60_000);

  it('users page in email order', async () => {
    for (let i = 0; i < 7; i++) await h.seedUser(`page-${i}@example.com`);
    const emails = (await all('/v1/users', 3)).map((u) => u.email as string);
    expect(emails).toEqual([...emails].sort());
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.filter((e) => e.startsWith('page-'))).toHaveLength(7);
  });

  it('the reconciler repairs a terminated grant workflow and a grant running the wrong policy, counted in metrics', async () => {
    const u = await h.seedUser('drift@example.com');
    const g = (await api('POST', '/v1/groups', { name: 'drift' })).id as string;
    await api('PUT', `/v1/groups/${g}/members`, { userIds: [u] });
    const r = (
      await api('POST', '/v1/resources', {
        name: 'drift',
        address: 'drift.example',
        policy: { autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' } },
      })
    ).id as string;
    pairs.push({ resourceId: r, userId: u });
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    const before = await waitFor(
      async () => {
        const v = await h.grantState({ resourceId: r, userId: u });
        return v?.state === 'ACTIVE' ? v : undefined;
      },
      { timeoutMs: 30_000, what: 'ACTIVE grant' },
    );
    const handle = h.client.workflow.getHandle(grantWorkflowId({ resourceId: r, userId: u }));
    const firstRun = (await handle.describe()).runId;
    await handle.terminate('an operator terminated it by mistake');
    expect((await handle.describe()).status.name).toBe('TERMINATED');

    const repaired = await waitFor(
      async () => {
        const d = await handle.describe();
        if (d.runId === firstRun || d.status.name !== 'RUNNING') return undefined;
        const v = await h.grantState({ resourceId: r, userId: u });
        return v?.state === 'ACTIVE' ? v : undefined;
      },
      { timeoutMs: 30_000, what: 'the reconciler to start the grant again' },
    );
    expect(repaired.version).toBeGreaterThan(before.version);
    expect(repaired.policy.autoLock).toEqual({ durationSeconds: 30 * DAY, approval: 'MANUAL' });

    // A lost policy change: the workflow runs another policy than policy says.
    await new GrantClient(h.client, { taskQueuePrefix: h.prefix }).apply(
      { resourceId: r, userId: u },
      { ...repaired.policy, autoLock: { durationSeconds: 60, approval: 'AUTOMATIC' } },
    );
    await waitFor(
      async () => {
        const v = await h.grantState({ resourceId: r, userId: u });
        return v?.policy.autoLock?.durationSeconds === 30 * DAY && v.version > repaired.version + 1
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, what: 'the reconciler to send the expected policy back' },
    );
    const metrics = await metricsRegistry.metrics();
    const count = (kind: string) =>
      Number(
        new RegExp(
          `lapse_policy_reconciler_repairs_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(count('ENDED_WORKFLOW')).toBeGreaterThanOrEqual(1);
    expect(count('WRONG_POLICY')).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/lapse_policy_reconciler_checked_total(\{[^}]*\})? [1-9]\d*/);
  }, 90_000);

  it('the reconciler repairs a grant-state projection row left behind its workflow: the workflow publishes its state again', async () => {
    const u = await h.seedUser('stale@example.com');
    const g = (await api('POST', '/v1/groups', { name: 'stale' })).id as string;
    await api('PUT', `/v1/groups/${g}/members`, { userIds: [u] });
    const r = (
      await api('POST', '/v1/resources', {
        name: 'stale',
        address: 'stale.example',
        policy: { autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' } },
      })
    ).id as string;
    pairs.push({ resourceId: r, userId: u });
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    type Row = { state: string; version: string };
    const row = async (): Promise<Row | undefined> =>
      (
        (await h.ds.query(
          `SELECT state, version FROM policy.grant_status WHERE resource_id = $1 AND user_id = $2`,
          [r, u],
        )) as Row[]
      )[0];
    const live = await waitFor(
      async () => {
        const v = await h.grantState({ resourceId: r, userId: u });
        const projected = await row();
        return v?.state === 'ACTIVE' && Number(projected?.version) === v.version ? v : undefined;
      },
      { timeoutMs: 30_000, what: 'the ACTIVE grant in the projection' },
    );
    const count = async () =>
      Number(
        /lapse_policy_reconciler_repairs_total\{[^}]*kind="STALE_PROJECTION"[^}]*\} (\d+)/.exec(
          await metricsRegistry.metrics(),
        )?.[1] ?? 0,
      );
    const before = await count();
    // A row gone wrong: an older version saying the grant was revoked.
    await h.ds.query(
      `UPDATE policy.grant_status SET state = 'REVOKED', version = version - 1
        WHERE resource_id = $1 AND user_id = $2`,
      [r, u],
    );
    expect((await row())?.state).toBe('REVOKED');
    const repaired = await waitFor(
      async () => {
        const projected = await row();
        return projected?.state === 'ACTIVE' ? projected : undefined;
      },
      { timeoutMs: 30_000, what: 'the reconciler to repair the projection row' },
    );
    // The same state and version as the workflow: republished, not a new transition.
    expect(Number(repaired.version)).toBe(live.version);
    expect((await h.grantState({ resourceId: r, userId: u }))?.version).toBe(live.version);
    expect(await count()).toBeGreaterThan(before);
  }, 90_000);
});
