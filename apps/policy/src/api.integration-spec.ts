import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SignJWT, decodeJwt } from 'jose';
import { Client as PgClient } from 'pg';
import { signProxyToken, signServiceToken, signUserToken } from '@lapse/auth';
import type { Role } from '@lapse/contracts';
import { PolicyHarness, JWT_SECRET, SERVICE_SECRET } from './testing/policy-harness';

const DAY = 86_400;
const policy30 = {
  autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
  accessRequests: null,
};

describe('policy API (real Postgres; sync worker off)', () => {
  let h: PolicyHarness;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_api', {
      sync: false,
      env: {
        LAPSE_BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com',
        LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      },
    });
    const roles: (Role | 'MEMBER')[] = ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER', 'MEMBER'];
    for (const r of roles) {
      ids[r] = await h.seedUser(`${r.toLowerCase()}@example.com`, r === 'MEMBER' ? [] : [r]);
      tokens[r] = await h.token(ids[r]);
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates the bootstrap admin once', async () => {
    const rows: { roles: string[] }[] = await h.ds.query(
      `SELECT roles FROM policy.users WHERE lower(email) = 'root@example.com'`,
    );
    expect(rows).toEqual([{ roles: ['ADMIN'] }]);
  });

  describe('role × endpoint matrix', () => {
    let resourceId: string;
    let groupId: string;
    beforeAll(async () => {
      resourceId = (
        await h.call('POST', '/v1/resources', tokens.ADMIN, { name: 'matrix', address: '10.0.0.1' })
      ).body.id;
      groupId = (await h.call('POST', '/v1/groups', tokens.ADMIN, { name: 'matrix' })).body.id;
    });

    const READ = ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER'];
    const WRITE = ['ADMIN', 'DEVOPS'];
    const endpoints: { name: string; allowed: string[]; req: () => [string, string, unknown?] }[] =
      [
        {
          name: 'POST /v1/users',
          allowed: WRITE,
          req: () => ['POST', '/v1/users', { email: `m-${Math.random()}@x.io`, name: 'x' }],
        },
        { name: 'GET /v1/users/:id', allowed: READ, req: () => ['GET', `/v1/users/${ids.MEMBER}`] },
        {
          name: 'GET /v1/users?email=',
          allowed: READ,
          req: () => ['GET', `/v1/users?email=member@example.com`],
        },
        {
          name: 'POST /v1/groups',
          allowed: WRITE,
          req: () => ['POST', '/v1/groups', { name: 'g' }],
        },
        { name: 'GET /v1/groups/:id', allowed: READ, req: () => ['GET', `/v1/groups/${groupId}`] },
        {
          name: 'POST /v1/groups/:id/members',
          allowed: WRITE,
          req: () => ['POST', `/v1/groups/${groupId}/members`, { userId: ids.MEMBER }],
        },
        {
          name: 'POST /v1/resources',
          allowed: WRITE,
          req: () => ['POST', '/v1/resources', { name: 'r', address: 'a' }],
        },
        {
          name: 'PATCH /v1/resources/:id',
          allowed: WRITE,
          req: () => ['PATCH', `/v1/resources/${resourceId}`, { name: 'matrix' }],
        },
        {
          name: 'GET /v1/resources/:id',
          allowed: READ,
          req: () => ['GET', `/v1/resources/${resourceId}`],
        },
        {
          name: 'PUT /v1/resources/:id/approvers',
          allowed: WRITE,
          req: () => ['PUT', `/v1/resources/${resourceId}/approvers`, { groupIds: [groupId] }],
        },
        {
          name: 'PUT /v1/resources/:id/assignments/:groupId',
          allowed: WRITE,
          req: () => ['PUT', `/v1/resources/${resourceId}/assignments/${groupId}`, {}],
        },
        {
          name: 'GET /v1/users/:id/grants',
          allowed: READ,
          req: () => ['GET', `/v1/users/${ids.MEMBER}/grants`],
        },
        {
          name: 'GET /v1/audit-logs',
          allowed: READ,
          req: () => ['GET', '/v1/audit-logs?category=ACCESS'],
        },
        {
          name: 'GET /v1/settings/notifications',
          allowed: READ,
          req: () => ['GET', '/v1/settings/notifications'],
        },
        {
          name: 'PUT /v1/settings/notifications',
          allowed: WRITE,
          req: () => [
            'PUT',
            '/v1/settings/notifications',
            { emailEnabled: true, emailRoles: ['ADMIN'], optedOutUserIds: [], webhook: null },
          ],
        },
        {
          name: 'GET /v1/resources/:id/report.csv',
          allowed: READ,
          req: () => ['GET', `/v1/resources/${resourceId}/report.csv`],
        },
        {
          name: 'GET /v1/internal/notification-settings',
          allowed: [],
          req: () => ['GET', '/v1/internal/notification-settings'],
        },
      ];

    it.each(endpoints.map((e) => [e.name, e] as const))('%s', async (_name, e) => {
      for (const role of ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER', 'MEMBER']) {
        const [method, path, body] = e.req();
        const res = await h.call(method, path, tokens[role], body);
        if (e.allowed.includes(role))
          expect({ role, ok: [200, 201, 204].includes(res.status) }).toEqual({ role, ok: true });
        else expect({ role, status: res.status }).toEqual({ role, status: 403 });
      }
      const [method, path, body] = e.req();
      expect((await h.call(method, path, null, body)).status).toBe(401);
      const forged = await signUserToken('some-other-secret-of-32-characters', ids.ADMIN);
      expect((await h.call(method, path, forged, body)).status).toBe(401);
    });

    it('service tokens read the (svc) endpoints, the internal settings in full, and nothing else', async () => {
      const svc = await h.serviceToken('notifications');
      expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, svc)).status).toBe(200);
      expect(
        (await h.call('GET', `/v1/users?role=ADMIN`, svc)).body.items.map(
          (u: { id: string }) => u.id,
        ),
      ).toContain(ids.ADMIN);
      expect((await h.call('GET', `/v1/resources/${resourceId}`, svc)).status).toBe(200);
      expect((await h.call('GET', `/v1/groups/${groupId}`, svc)).status).toBe(200);
      expect((await h.call('GET', `/v1/resources/${resourceId}/approvers`, svc)).status).toBe(200);
      expect((await h.call('GET', `/v1/internal/notification-settings`, svc)).status).toBe(200);
      expect((await h.call('POST', '/v1/groups', svc, { name: 'nope' })).status).toBe(403);
      expect((await h.call('GET', '/v1/audit-logs', svc)).status).toBe(403);
    });

    it('each endpoint lists its callers: another service, a proxy, a token for another audience are refused', async () => {
      const requests = await h.serviceToken('requests');
      expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, requests)).status).toBe(200);
      expect((await h.call('GET', `/v1/internal/notification-settings`, requests)).status).toBe(
        403,
      );
      expect((await h.call('GET', `/v1/users?role=ADMIN`, requests)).status).toBe(403);
      const stranger = await h.serviceToken('stranger');
      expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, stranger)).status).toBe(403);
      // A proxy token is for access-tracking (decisions, forward-auth): here it is no token at all.
      const proxy = await signProxyToken(SERVICE_SECRET, 'edge-1');
      for (const path of [
        `/v1/users/${ids.ADMIN}`,
        '/v1/users?role=ADMIN',
        '/v1/internal/notification-settings',
      ]) {
        expect({ path, status: (await h.call('GET', path, proxy)).status }).toEqual({
          path,
          status: 401,
        });
      }
      const elsewhere = await signServiceToken(SERVICE_SECRET, 'notifications', 'requests');
      expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, elsewhere)).status).toBe(401);
    });

    it('a token without exp is 401, as is a user token signed with the service secret', async () => {
      const noExp = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(ids.ADMIN)
        .setIssuedAt()
        .sign(new TextEncoder().encode(JWT_SECRET));
      expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, noExp)).status).toBe(401);
      const crossed = await signUserToken(SERVICE_SECRET, ids.ADMIN);
      expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, crossed)).status).toBe(401);
    });
  });

  describe('users, groups, resources, assignments', () => {
    it('creates a user (409 on a duplicate email in any case) and finds it by email', async () => {
      const res = await h.call('POST', '/v1/users', tokens.ADMIN, {
        email: 'alex@example.com',
        name: 'Alex',
        roles: ['SUPPORT'],
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        email: 'alex@example.com',
        name: 'Alex',
        roles: ['SUPPORT'],
        groupIds: [],
      });
      expect(
        (await h.call('POST', '/v1/users', tokens.ADMIN, { email: 'ALEX@example.com', name: 'A' }))
          .status,
      ).toBe(409);
      const found = await h.call('GET', '/v1/users?email=Alex@Example.com', tokens.SUPPORT);
      expect(found.body.items.map((u: { id: string }) => u.id)).toEqual([res.body.id]);
      expect(
        (await h.call('GET', '/v1/users?email=nobody@example.com', tokens.SUPPORT)).body,
      ).toEqual({ items: [], nextCursor: null });
    });

    it('groups: add (idempotent), replace, remove (404 when not a member); unknown users are 404', async () => {
      const g = (await h.call('POST', '/v1/groups', tokens.DEVOPS, { name: 'devs' })).body;
      expect(
        (await h.call('POST', `/v1/groups/${g.id}/members`, tokens.DEVOPS, { userId: ids.MEMBER }))
          .body.memberIds,
      ).toEqual([ids.MEMBER]);
      expect(
        (await h.call('POST', `/v1/groups/${g.id}/members`, tokens.DEVOPS, { userId: ids.MEMBER }))
          .body.memberIds,
      ).toEqual([ids.MEMBER]);
      const replaced = await h.call('PUT', `/v1/groups/${g.id}/members`, tokens.DEVOPS, {
        userIds: [ids.SUPPORT, ids.DEVOPS],
      });
      expect(replaced.body.memberIds.sort()).toEqual([ids.SUPPORT, ids.DEVOPS].sort());
      expect(
        (await h.call('GET', `/v1/users/${ids.SUPPORT}`, tokens.SUPPORT)).body.groupIds,
      ).toContain(g.id);
      expect(
        (await h.call('DELETE', `/v1/groups/${g.id}/members/${ids.MEMBER}`, tokens.DEVOPS)).status,
      ).toBe(404);
      expect(
        (await h.call('DELETE', `/v1/groups/${g.id}/members/${ids.SUPPORT}`, tokens.DEVOPS)).status,
      ).toBe(204);
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(
        (await h.call('PUT', `/v1/groups/${g.id}/members`, tokens.DEVOPS, { userIds: [missing] }))
          .status,
      ).toBe(404);
      expect((await h.call('GET', `/v1/groups/${missing}`, tokens.DEVOPS)).status).toBe(404);
      const jobs: { kind: string }[] = await h.ds.query(
        `SELECT kind FROM policy.grant_sync_jobs WHERE $1 = ANY(group_ids)`,
        [g.id],
      );
      expect(jobs.length).toBe(3); // add, replace, remove; the idempotent add and the failed calls queued nothing
    });

    it('resources: default policy, PATCH, approvers listing their members', async () => {
      const r = await h.call('POST', '/v1/resources', tokens.ADMIN, {
        name: 'Gitlab',
        address: 'gitlab.internal',
        policy: policy30,
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        name: 'Gitlab',
        address: 'gitlab.internal',
        policy: policy30,
        approverGroupIds: [],
      });
      const bare = await h.call('POST', '/v1/resources', tokens.ADMIN, {
        name: 'Wiki',
        address: 'wiki',
      });
      expect(bare.body.policy).toEqual({ autoLock: null, accessRequests: null });
      const patched = await h.call('PATCH', `/v1/resources/${r.body.id}`, tokens.ADMIN, {
        address: 'gitlab.example.com',
      });
      expect(patched.body).toMatchObject({
        name: 'Gitlab',
        address: 'gitlab.example.com',
        policy: policy30,
      });
      const g = (await h.call('POST', '/v1/groups', tokens.ADMIN, { name: 'approvers' })).body;
      await h.call('PUT', `/v1/groups/${g.id}/members`, tokens.ADMIN, {
        userIds: [ids.ACCESS_REVIEWER],
      });
      expect(
        (
          await h.call('PUT', `/v1/resources/${r.body.id}/approvers`, tokens.ADMIN, {
            groupIds: [g.id],
          })
        ).body.approverGroupIds,
      ).toEqual([g.id]);
      const approvers = await h.call(
        'GET',
        `/v1/resources/${r.body.id}/approvers`,
        await h.serviceToken(),
      );
      expect(approvers.body).toEqual({
        groupIds: [g.id],
        users: [
          {
            id: ids.ACCESS_REVIEWER,
            email: 'access_reviewer@example.com',
            name: 'access_reviewer@example.com',
          },
        ],
      });
    });

    it('assignments: 201 then 200, 404 for unknown resource/group, delete then 404', async () => {
      const r = (
        await h.call('POST', '/v1/resources', tokens.ADMIN, {
          name: 'DB',
          address: 'db',
          policy: policy30,
        })
      ).body;
      const g = (await h.call('POST', '/v1/groups', tokens.ADMIN, { name: 'dba' })).body;
      const path = `/v1/resources/${r.id}/assignments/${g.id}`;
      const created = await h.call('PUT', path, tokens.ADMIN, {
        policy: { autoLock: { durationSeconds: 7 * DAY, approval: 'MANUAL' } },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        resourceId: r.id,
        groupId: g.id,
        policy: { autoLock: { durationSeconds: 7 * DAY } },
        expiresAt: null,
      });
      const replaced = await h.call('PUT', path, tokens.ADMIN, {
        expiresAt: '2099-01-01T00:00:00Z',
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ policy: {}, expiresAt: '2099-01-01T00:00:00.000Z' });
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(
        (await h.call('PUT', `/v1/resources/${missing}/assignments/${g.id}`, tokens.ADMIN, {}))
          .status,
      ).toBe(404);
      expect(
        (await h.call('PUT', `/v1/resources/${r.id}/assignments/${missing}`, tokens.ADMIN, {}))
          .status,
      ).toBe(404);
      expect((await h.call('DELETE', path, tokens.ADMIN)).status).toBe(204);
      expect((await h.call('DELETE', path, tokens.ADMIN)).status).toBe(404);
    });
  });

  describe('bad input → 400 naming the field, never 500', () => {
    const cases: [string, string, string, unknown, string][] = [
      ['wrong type', 'POST', '/v1/users', { email: 'x@y.io', name: 5 }, 'name'],
      ['bad email', 'POST', '/v1/users', { email: 'nope', name: 'n' }, 'email'],
      [
        'unknown role',
        'POST',
        '/v1/users',
        { email: 'r@y.io', name: 'n', roles: ['ROOT'] },
        'roles',
      ],
      ['unknown field', 'POST', '/v1/groups', { name: 'g', colour: 'red' }, 'colour'],
      [
        'duration too long',
        'POST',
        '/v1/resources',
        {
          name: 'r',
          address: 'a',
          policy: {
            autoLock: { durationSeconds: 400 * DAY + 1, approval: 'MANUAL' },
            accessRequests: null,
          },
        },
        'policy.autoLock.durationSeconds',
      ],
      [
        'duration zero',
        'POST',
        '/v1/resources',
        {
          name: 'r',
          address: 'a',
          policy: { autoLock: { durationSeconds: 0, approval: 'MANUAL' }, accessRequests: null },
        },
        'policy.autoLock.durationSeconds',
      ],
      [
        'duration as string',
        'POST',
        '/v1/resources',
        {
          name: 'r',
          address: 'a',
          policy: { autoLock: { durationSeconds: '30', approval: 'MANUAL' }, accessRequests: null },
        },
        'policy.autoLock.durationSeconds',
      ],
      [
        'unknown policy field',
        'POST',
        '/v1/resources',
        { name: 'r', address: 'a', policy: { autoLock: null, accessRequests: null, x: 1 } },
        'policy.x',
      ],
      [
        'bad approval',
        'POST',
        '/v1/resources',
        {
          name: 'r',
          address: 'a',
          policy: {
            autoLock: null,
            accessRequests: { accessPeriodSeconds: 60, approval: 'MAYBE' },
          },
        },
        'policy.accessRequests.approval',
      ],
      [
        'policy not an object',
        'POST',
        '/v1/resources',
        { name: 'r', address: 'a', policy: 'strict' },
        'policy',
      ],
      [
        'bad member id',
        'POST',
        '/v1/groups/00000000-0000-4000-8000-000000000000/members',
        { userId: 'abc' },
        'userId',
      ],
      [
        'bad expiresAt',
        'PUT',
        '/v1/resources/00000000-0000-4000-8000-000000000000/assignments/00000000-0000-4000-8000-000000000000',
        { expiresAt: 'tomorrow' },
        'expiresAt',
      ],
      [
        'past expiresAt',
        'PUT',
        '/v1/resources/00000000-0000-4000-8000-000000000000/assignments/00000000-0000-4000-8000-000000000000',
        { expiresAt: '2000-01-01T00:00:00Z' },
        'expiresAt',
      ],
      [
        'bad webhook url',
        'PUT',
        '/v1/settings/notifications',
        {
          emailEnabled: true,
          emailRoles: [],
          optedOutUserIds: [],
          webhook: { url: 'nope' },
        },
        'webhook.url',
      ],
      [
        'webhook to the cloud metadata address',
        'PUT',
        '/v1/settings/notifications',
        {
          emailEnabled: true,
          emailRoles: [],
          optedOutUserIds: [],
          webhook: { url: 'http://169.254.169.254/latest/meta-data/' },
        },
        'webhook.url',
      ],
      [
        'webhook secret not in the whsec_ form',
        'PUT',
        '/v1/settings/notifications',
        {
          emailEnabled: true,
          emailRoles: [],
          optedOutUserIds: [],
          webhook: { url: 'https://203.0.114.7/hook', secret: 'x'.repeat(40) },
        },
        'webhook.secret',
      ],
    ];
    it.each(cases)('%s', async (_n, method, path, body, field) => {
      const res = await h.call(method, path, tokens.ADMIN, body);
      expect({ status: res.status, message: String(res.body.message).split(':')[0] }).toEqual({
        status: 400,
        message: field,
      });
    });

    it.each([
      ['GET', '/v1/users/not-a-uuid', 'id'],
      ['GET', '/v1/resources/123', 'id'],
      ['GET', '/v1/users/x/grants', 'userId'],
      ['POST', '/v1/users/x/resources/00000000-0000-4000-8000-000000000000/unlock', 'userId'],
      ['GET', '/v1/audit-logs?since=yesterday', 'since'],
      ['GET', '/v1/audit-logs?category=NOPE', 'category'],
      ['GET', '/v1/groups/1/report.csv', 'id'],
    ])('malformed id/query %s %s', async (method, path, field) => {
      const res = await h.call(method, path, tokens.ADMIN);
      expect(res.status).toBe(400);
      expect(res.body.message.startsWith(`${field}:`)).toBe(true);
    });
  });

  describe('audit log', () => {
    it('records every change with actor, before and after, filtered by resource and time', async () => {
      const since = new Date().toISOString();
      const r = (
        await h.call('POST', '/v1/resources', tokens.DEVOPS, {
          name: 'Audit',
          address: 'a',
          policy: policy30,
        })
      ).body;
      await h.call('PATCH', `/v1/resources/${r.id}`, tokens.ADMIN, {
        policy: { ...policy30, autoLock: { durationSeconds: DAY, approval: 'AUTOMATIC' } },
      });
      const log = await h.call(
        'GET',
        `/v1/audit-logs?category=ACCESS&resourceId=${r.id}&since=${since}`,
        tokens.SUPPORT,
      );
      expect(log.body.items.map((e: { action: string }) => e.action)).toEqual([
        'resource.policy.changed',
        'resource.created',
      ]);
      expect(log.body.items[0]).toMatchObject({
        category: 'ACCESS',
        actorId: ids.ADMIN,
        before: { policy: policy30 },
        after: { policy: { autoLock: { durationSeconds: DAY, approval: 'AUTOMATIC' } } },
      });
      expect(log.body.items[1]).toMatchObject({ actorId: ids.DEVOPS, before: null });
      const future = await h.call(
        'GET',
        `/v1/audit-logs?resourceId=${r.id}&since=2999-01-01T00:00:00Z`,
        tokens.SUPPORT,
      );
      expect(future.body).toEqual({ items: [], nextCursor: null });
    });

    it('the table refuses UPDATE and DELETE, from the service and from its owner', async () => {
      // The service's role has no such right; the owner (migrations) is stopped by the triggers.
      await expect(h.ds.query(`UPDATE policy.audit_log SET action = 'x'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(h.ds.query(`DELETE FROM policy.audit_log`)).rejects.toThrow(/permission denied/);
      const owner = new PgClient({ connectionString: h.ownerDatabaseUrl });
      await owner.connect();
      try {
        await expect(owner.query(`UPDATE policy.audit_log SET action = 'x'`)).rejects.toThrow(
          /append-only/,
        );
        await expect(owner.query(`DELETE FROM policy.audit_log`)).rejects.toThrow(/append-only/);
      } finally {
        await owner.end();
      }
      const [{ n }]: { n: string }[] = await h.ds.query(
        `SELECT count(*) AS n FROM policy.audit_log WHERE action = 'x'`,
      );
      expect(n).toBe('0');
    });
  });

  describe('notification settings', () => {
    it('masks the webhook secret for users; services get it in full', async () => {
      const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      // A public address: the settings API resolves the host and refuses internal ones.
      const url = 'https://203.0.114.7/x';
      const put = await h.call('PUT', '/v1/settings/notifications', tokens.ADMIN, {
        emailEnabled: false,
        emailRoles: ['ADMIN', 'ACCESS_REVIEWER'],
        optedOutUserIds: [ids.DEVOPS],
        webhook: { url, secret },
      });
      expect(put.status).toBe(200);
      expect(put.text).not.toContain(secret);
      const got = await h.call('GET', '/v1/settings/notifications', tokens.SUPPORT);
      expect(got.body).toEqual({
        emailEnabled: false,
        emailRoles: ['ADMIN', 'ACCESS_REVIEWER'],
        optedOutUserIds: [ids.DEVOPS],
        webhook: { url, secret: `••••${secret.slice(-4)}` },
      });
      const internal = await h.call(
        'GET',
        '/v1/internal/notification-settings',
        await h.serviceToken('notifications'),
      );
      expect(internal.body.webhook).toEqual({ url, secret });
      const audit: { after: { webhook: { secret: string } } }[] = await h.ds.query(
        `SELECT after FROM policy.audit_log WHERE action = 'settings.notifications.changed'`,
      );
      expect(JSON.stringify(audit)).not.toContain(secret);
    });

    it('generates a whsec_ secret when none is given, shows it once, keeps it on later saves', async () => {
      const base = { emailEnabled: true, emailRoles: ['ADMIN'], optedOutUserIds: [] };
      await h.call('PUT', '/v1/settings/notifications', tokens.ADMIN, { ...base, webhook: null });
      const first = await h.call('PUT', '/v1/settings/notifications', tokens.ADMIN, {
        ...base,
        webhook: { url: 'https://203.0.114.8/hook' },
      });
      expect(first.status).toBe(200);
      const secret: string = first.body.webhook.secret;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const again = await h.call('PUT', '/v1/settings/notifications', tokens.ADMIN, {
        ...base,
        webhook: { url: 'https://203.0.114.9/hook' },
      });
      expect(again.body.webhook).toEqual({
        url: 'https://203.0.114.9/hook',
        secret: `••••${secret.slice(-4)}`,
      });
      expect(again.text).not.toContain(secret);
      const got = await h.call('GET', '/v1/settings/notifications', tokens.ADMIN);
      expect(got.text).not.toContain(secret);
      const internal = await h.call(
        'GET',
        '/v1/internal/notification-settings',
        await h.serviceToken('notifications'),
      );
      expect(internal.body.webhook.secret).toBe(secret);
    });

    it('refuses loopback, private and link-local targets unless the host is allow-listed', async () => {
      const base = { emailEnabled: true, emailRoles: ['ADMIN'], optedOutUserIds: [] };
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://127.0.0.2:5432/',
        'http://10.1.2.3/',
        'http://[::1]/',
        'http://[::ffff:127.0.0.1]/',
        'http://[fd00::1]/',
        'http://0.0.0.0/',
        'http://user:pw@203.0.114.7/',
      ]) {
        const res = await h.call('PUT', '/v1/settings/notifications', tokens.ADMIN, {
          ...base,
          webhook: { url },
        });
        expect({ url, status: res.status, field: String(res.body.message).split(':')[0] }).toEqual({
          url,
          status: 400,
          field: 'webhook.url',
        });
      }
      const listed = await h.call('PUT', '/v1/settings/notifications', tokens.ADMIN, {
        ...base,
        webhook: { url: 'http://127.0.0.1:8080/hook' },
      });
      expect(listed.status).toBe(200);
    });
  });

  it('npm run token prints a token for an existing user and exits 1 for an unknown one', async () => {
    const run = promisify(execFile);
    const env = {
      ...process.env,
      DATABASE_URL: h.config.DATABASE_URL,
      LAPSE_JWT_SECRET: JWT_SECRET,
    };
    const script = ['-r', '@swc-node/register', 'tools/scripts/token.ts'];
    const { stdout } = await run(process.execPath, [...script, 'ADMIN@example.com'], {
      env,
      cwd: process.cwd(),
    });
    const me = await h.call('GET', `/v1/users/${ids.ADMIN}`, stdout.trim());
    expect(me.status).toBe(200);
    await expect(
      run(process.execPath, [...script, 'ghost@example.com'], { env, cwd: process.cwd() }),
    ).rejects.toMatchObject({ code: 1 });
  });

  it('npm run token -- --proxy prints a token for access-tracking only: policy refuses it', async () => {
    const run = promisify(execFile);
    const script = ['-r', '@swc-node/register', 'tools/scripts/token.ts', '--proxy', 'edge-7'];
    const { stdout } = await run(process.execPath, script, {
      env: { ...process.env, LAPSE_SERVICE_SECRET: SERVICE_SECRET },
      cwd: process.cwd(),
    });
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({ svc: 'proxy', sub: 'edge-7', aud: 'access-tracking' });
    expect(typeof claims.exp).toBe('number');
    expect((await h.call('GET', `/v1/users/${ids.ADMIN}`, stdout.trim())).status).toBe(401);
  });
});
