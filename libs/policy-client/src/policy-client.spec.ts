import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from '@lapse/auth';
import { LapseError } from '@lapse/platform';
import { PolicyClient } from './policy-client';
import { PolicyUserDirectory } from './user-directory';

const serviceSecret = 'a-service-secret-of-32-characters';
const verifier = new TokenVerifier({
  secret: 'a-user-token-secret-of-32-characters',
  serviceSecret,
  service: 'policy',
});

const user = (id: string, over: object = {}) => ({
  id,
  email: `${id}@example.com`,
  name: id,
  roles: [],
  groupIds: [],
  active: true,
  externalId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

/** A policy service on a local port answering from `routes` (path+query → [status, body]). */
describe('PolicyClient', () => {
  let server: Server;
  let baseUrl: string;
  let routes: Record<string, [number, unknown]>;
  let calls: string[];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      calls.push(req.url ?? '');
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const caller = await verifier.verify(token).catch(() => null);
      const [status, body] =
        caller?.kind === 'service' && caller.service === 'requests'
          ? (routes[req.url ?? ''] ?? [404, { message: 'not found' }])
          : [401, { message: 'no service token' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    routes = {};
    calls = [];
  });

  const client = (cacheMs = 0) =>
    new PolicyClient({ baseUrl, serviceSecret, service: 'requests', cacheMs });

  it('reads a record with a service token; an unknown one is null', async () => {
    routes['/v1/users/u1'] = [200, user('u1')];
    await expect(client().user('u1')).resolves.toMatchObject({ id: 'u1' });
    await expect(client().user('nobody')).resolves.toBeNull();
  });

  it('a failing policy service is UNAVAILABLE; another refusal throws plainly', async () => {
    routes['/v1/resources/r1'] = [503, {}];
    routes['/v1/resources/r2'] = [403, {}];
    const err = await client()
      .resource('r1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LapseError);
    expect((err as LapseError).kind).toBe('UNAVAILABLE');
    const other = await client()
      .resource('r2')
      .catch((e: unknown) => e);
    expect(other).not.toBeInstanceOf(LapseError);
    expect(String(other)).toContain('403');
  });

  it('an unreachable policy service is UNAVAILABLE', async () => {
    const down = new PolicyClient({ baseUrl: 'http://127.0.0.1:1', serviceSecret, service: 'x' });
    await expect(down.user('u1')).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
  });

  it('follows the pages of a list to the end, with the filter on every page', async () => {
    routes['/v1/users?role=ADMIN&limit=1000'] = [200, { items: [user('a')], nextCursor: 'c1' }];
    routes['/v1/users?role=ADMIN&limit=1000&cursor=c1'] = [
      200,
      { items: [user('b')], nextCursor: null },
    ];
    const all = await client().users({ role: 'ADMIN' });
    expect(all.map((u) => u.id)).toEqual(['a', 'b']);
  });

  it('a filter value policy refuses (400) matches nobody', async () => {
    routes['/v1/users?email=not-an-email&limit=1000'] = [400, { field: 'email' }];
    await expect(client().users({ email: 'not-an-email' })).resolves.toEqual([]);
  });

  it('reuses an answer younger than the read accepts, and asks again after', async () => {
    routes['/v1/users/u1'] = [200, user('u1')];
    const c = client();
    await c.user('u1', { maxAgeMs: 60_000 });
    await c.user('u1', { maxAgeMs: 60_000 });
    expect(calls).toEqual(['/v1/users/u1']);
    await c.user('u1');
    expect(calls).toEqual(['/v1/users/u1', '/v1/users/u1']);
  });

  it('the client-wide cacheMs applies to reads that name none', async () => {
    routes['/v1/resources/r1/approvers'] = [200, { groupIds: ['g'], users: [user('x')] }];
    const c = client(60_000);
    await expect(c.isApprover('x', 'r1')).resolves.toBe(true);
    await expect(c.approvedBy('y', ['r1'])).resolves.toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('never reuses a failure', async () => {
    routes['/v1/users/u1'] = [500, {}];
    const c = client(60_000);
    await expect(c.user('u1')).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
    routes['/v1/users/u1'] = [200, user('u1')];
    await expect(c.user('u1')).resolves.toMatchObject({ id: 'u1' });
    expect(calls).toHaveLength(2);
  });

  it('the user directory refuses offboarded users (rule 12)', async () => {
    routes['/v1/users/on'] = [200, user('on', { roles: ['ADMIN'] })];
    routes['/v1/users/off'] = [200, user('off', { active: false })];
    const directory = new PolicyUserDirectory(client());
    await expect(directory.findById('on')).resolves.toEqual({
      id: 'on',
      email: 'on@example.com',
      name: 'on',
      roles: ['ADMIN'],
    });
    await expect(directory.findById('off')).resolves.toBeNull();
  });
});
