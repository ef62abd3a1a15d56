import type { GrantRef } from '@lapse/contracts';
import { waitFor } from '@lapse/testing';
import { PolicyHarness } from './testing/policy-harness';
import { SCIM_ACTOR, UsersService } from './users/users.service';

/**
 * User lifecycle and four eyes (rules 12, 13) against the real servers: Postgres, Temporal with
 * the grant workflow, the grant sync running in the app as in production.
 */
describe('user lifecycle (real Postgres, Temporal, Kafka)', () => {
  let h: PolicyHarness;
  let adminId: string;
  let admin: string;
  let devopsId: string;
  let devops: string;
  const pairs: GrantRef[] = [];

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_user_lifecycle', { sync: true, workflows: true });
    adminId = await h.seedUser('admin@example.com', ['ADMIN']);
    admin = await h.token(adminId);
    devopsId = await h.seedUser('devops@example.com', ['DEVOPS']);
    devops = await h.token(devopsId);
  }, 60_000);
  afterAll(async () => {
    await h?.terminate(pairs);
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);
  const user = async (email: string, roles: string[] = []) =>
    (await api('POST', '/v1/users', { email, name: email, roles })).id as string;
  const grantStates = (resourceIds: string[], userId: string) =>
    Promise.all(
      resourceIds.map(
        async (r) => (await h.grantState({ userId: userId, resourceId: r }))?.state ?? null,
      ),
    );

  it('offboarding revokes every grant of a user with 50 grants; their next API call is 401', async () => {
    const leaver = await user('leaver@example.com', ['SUPPORT']);
    const token = await h.token(leaver);
    expect((await h.call('GET', `/v1/users/${leaver}`, token)).status).toBe(200);
    const g = (await api('POST', '/v1/groups', { name: 'fifty' })).id as string;
    const resources: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = (await api('POST', '/v1/resources', { name: `r${i}`, address: `r${i}.example` }))
        .id as string;
      await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
      resources.push(r);
      pairs.push({ resourceId: r, userId: leaver });
    }
    await api('POST', `/v1/groups/${g}/members`, { userId: leaver });
    await waitFor(
      async () =>
        (await grantStates(resources, leaver)).every((s) => s === 'ACTIVE') ? true : undefined,
      { timeoutMs: 150_000, intervalMs: 1_000, what: '50 ACTIVE grants' },
    );

    expect((await h.call('DELETE', `/v1/users/${leaver}`, admin)).status).toBe(204);
    // Refused at once: no grace period for the tokens of someone who has left.
    const next = await h.call('GET', `/v1/users/${leaver}`, token);
    expect(next.status).toBe(401);
    const after = await api('GET', `/v1/users/${leaver}`);
    expect(after).toMatchObject({ active: false, groupIds: [] });

    await waitFor(
      async () =>
        (await grantStates(resources, leaver)).every((s) => s === 'REVOKED') ? true : undefined,
      { timeoutMs: 150_000, intervalMs: 1_000, what: 'all 50 grants REVOKED' },
    );
    const audit: { action: string; actor_id: string }[] = await h.ds.query(
      `SELECT action, actor_id FROM policy.audit_log WHERE entity_id = $1 AND action = 'user.offboarded'`,
      [leaver],
    );
    expect(audit).toEqual([{ action: 'user.offboarded', actor_id: adminId }]);
    // Offboarding again changes nothing and records nothing.
    expect((await h.call('DELETE', `/v1/users/${leaver}`, admin)).status).toBe(204);
    const again: unknown[] = await h.ds.query(
      `SELECT 1 FROM policy.audit_log WHERE entity_id = $1 AND action = 'user.offboarded'`,
      [leaver],
    );
    expect(again).toHaveLength(1);
  }, 360_000);

  it('PATCH active:false suspends: grants revoked, tokens refused, memberships kept', async () => {
    const u = await user('suspended@example.com');
    const g = (await api('POST', '/v1/groups', { name: 'suspend' })).id as string;
    const r = (await api('POST', '/v1/resources', { name: 'susp', address: 'susp.example' })).id;
    pairs.push({ resourceId: r, userId: u });
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    await api('POST', `/v1/groups/${g}/members`, { userId: u });
    await waitFor(
      async () =>
        (await h.grantState({ userId: u, resourceId: r }))?.state === 'ACTIVE' ? 1 : undefined,
      {
        what: 'ACTIVE grant',
      },
    );
    const off = await h.call('PATCH', `/v1/users/${u}`, admin, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false, groupIds: [g] });
    await waitFor(
      async () =>
        (await h.grantState({ userId: u, resourceId: r }))?.state === 'REVOKED' ? 1 : undefined,
      {
        what: 'REVOKED grant',
      },
    );
    expect((await h.call('GET', `/v1/users/${u}/grants`, await h.token(u))).status).toBe(401);
  }, 120_000);

  it('self-promotion is refused; only an ADMIN grants ADMIN or DEVOPS', async () => {
    const selfPromote = await h.call('PATCH', `/v1/users/${devopsId}`, devops, {
      roles: ['DEVOPS', 'ADMIN'],
    });
    expect(selfPromote.status).toBe(403);
    expect(selfPromote.body.message).toMatch(/own roles/);
    const adminSelf = await h.call('PATCH', `/v1/users/${adminId}`, admin, { roles: [] });
    expect(adminSelf.status).toBe(403);

    const created = await h.call('POST', '/v1/users', devops, {
      email: 'would-be-admin@example.com',
      name: 'x',
      roles: ['ADMIN'],
    });
    expect(created.status).toBe(403);
    const plain = await user('plain@example.com');
    expect(
      (await h.call('PATCH', `/v1/users/${plain}`, devops, { roles: ['DEVOPS'] })).status,
    ).toBe(403);
    expect(
      (await h.call('PATCH', `/v1/users/${plain}`, devops, { roles: ['ACCESS_REVIEWER'] })).body,
    ).toMatchObject({ roles: ['ACCESS_REVIEWER'] });
    // PATCH merges: the name alone leaves the roles as they are.
    expect(
      (await h.call('PATCH', `/v1/users/${plain}`, admin, { name: 'Plain Person' })).body,
    ).toMatchObject({ name: 'Plain Person', roles: ['ACCESS_REVIEWER'], active: true });
    expect((await h.call('PATCH', `/v1/users/${plain}`, admin, { roles: ['DEVOPS'] })).status).toBe(
      200,
    );
    const rows: unknown[] = await h.ds.query(
      `SELECT 1 FROM policy.users WHERE email = 'would-be-admin@example.com'`,
    );
    expect(rows).toHaveLength(0);
    expect((await h.call('PATCH', `/v1/users/${plain}`, admin, { roles: 'ADMIN' })).status).toBe(
      400,
    );
  });

  it('the last active ADMIN can be neither demoted nor removed', async () => {
    const other = await user('second-admin@example.com', ['ADMIN']);
    const otherToken = await h.token(other);
    // Two admins: each may demote or offboard the other, never themselves.
    expect((await h.call('DELETE', `/v1/users/${other}`, otherToken)).status).toBe(403);
    expect((await h.call('PATCH', `/v1/users/${other}`, admin, { roles: [] })).status).toBe(200);
    expect((await h.call('PATCH', `/v1/users/${other}`, admin, { roles: ['ADMIN'] })).status).toBe(
      200,
    );
    expect((await h.call('PATCH', `/v1/users/${adminId}`, devops, { roles: [] })).status).toBe(403);
    // Now `other` offboards itself out of the way through the first admin: `admin` is the last one.
    expect((await h.call('PATCH', `/v1/users/${other}`, admin, { active: false })).status).toBe(
      200,
    );
    // The identity provider (SCIM) may offboard anyone — but not the last active ADMIN.
    const users = h.app.get(UsersService);
    await expect(users.offboard(adminId, SCIM_ACTOR)).rejects.toMatchObject({
      kind: 'CONFLICT',
      message: 'the last active ADMIN cannot be removed or demoted',
    });
    await expect(users.update(adminId, { roles: [] }, SCIM_ACTOR)).rejects.toMatchObject({
      kind: 'CONFLICT',
    });
    const admins: unknown[] = await h.ds.query(
      `SELECT id FROM policy.users WHERE active AND 'ADMIN' = ANY(roles)`,
    );
    expect(admins).toEqual([{ id: adminId }]);
    // With another admin back, SCIM's offboarding goes through.
    expect((await h.call('PATCH', `/v1/users/${other}`, admin, { active: true })).status).toBe(200);
    await expect(users.offboard(other, SCIM_ACTOR)).resolves.toMatchObject({ active: false });
  });

  it('four eyes: nobody unlocks their own grant, in the API and in the workflow itself', async () => {
    const g = (await api('POST', '/v1/groups', { name: 'admins-too' })).id as string;
    const r = (
      await api('POST', '/v1/resources', {
        name: 'self',
        address: 'self.example',
        policy: {
          autoLock: null,
          accessRequests: { accessPeriodSeconds: 3600, approval: 'MANUAL' },
        },
      })
    ).id as string;
    pairs.push({ resourceId: r, userId: adminId });
    await api('PUT', `/v1/resources/${r}/assignments/${g}`, {});
    await api('POST', `/v1/groups/${g}/members`, { userId: adminId });
    await waitFor(
      async () =>
        (await h.grantState({ userId: adminId, resourceId: r }))?.state === 'LOCKED'
          ? 1
          : undefined,
      { what: 'a LOCKED JIT grant' },
    );
    const viaApi = await h.call('POST', `/v1/users/${adminId}/resources/${r}/unlock`, admin);
    expect(viaApi.status).toBe(403);
    expect(viaApi.body.message).toMatch(/own grant/);
    // Straight to the workflow, past the API: the update validator refuses it too.
    await expect(
      h.grants.unlock({ userId: adminId, resourceId: r }, { actorId: adminId }),
    ).rejects.toMatchObject({ kind: 'FORBIDDEN', message: expect.stringMatching(/own grant/) });
    expect((await h.grantState({ userId: adminId, resourceId: r }))?.state).toBe('LOCKED');
  }, 60_000);
});
