import { loadServiceConfig } from '../config';
import { answer, authzVary, consolePages, isBrowser, type AuthzOutcome } from './authz-answer';
import { routeOf } from './authz-server';
import { andThen, isTrustedPeer, trustedNetworks } from './forward-auth';
import { originalRequest } from './target';
import { UsageCoalescer } from './usage-coalescer';

describe('originalRequest', () => {
  it('reads X-Original-URL and X-Original-Method (nginx)', () => {
    const r = originalRequest(
      {
        'x-original-url': 'https://Tools.example:8443/grafana/d?x=1',
        'x-original-method': 'post',
        host: '127.0.0.1:3002',
      },
      'GET',
    );
    expect(r).toEqual({
      target: { host: 'tools.example', port: 8443, path: ['grafana', 'd'] },
      url: 'https://tools.example:8443/grafana/d?x=1',
      method: 'POST',
    });
  });

  it('reads X-Forwarded-Host/-Uri/-Proto/-Method (Traefik, Caddy), first hop first', () => {
    const r = originalRequest(
      {
        'x-forwarded-host': 'git.corp.example, proxy.internal',
        'x-forwarded-uri': '/a/b?c=d',
        'x-forwarded-proto': 'https',
        'x-forwarded-method': 'DELETE',
      },
      'GET',
    );
    expect(r?.url).toBe('https://git.corp.example/a/b?c=d');
    expect(r?.target).toEqual({ host: 'git.corp.example', port: 443, path: ['a', 'b'] });
    expect(r?.method).toBe('DELETE');
  });

  it("uses the request's own Host and path for Envoy", () => {
    const r = originalRequest({ host: 'app.example:8080' }, 'PUT', '/x/y?z=1');
    expect(r?.url).toBe('http://app.example:8080/x/y?z=1');
    expect(r?.target.port).toBe(8080);
    expect(r?.method).toBe('PUT');
  });

  it('is undefined when nothing names the request, or the URL is not http(s)', () => {
    expect(originalRequest({ host: 'lapse:3002' }, 'GET')).toBeUndefined();
    expect(originalRequest({ 'x-original-url': 'javascript:alert(1)' }, 'GET')).toBeUndefined();
    expect(originalRequest({ 'x-original-url': 'not a url' }, 'GET')).toBeUndefined();
  });
});

describe('routeOf', () => {
  it.each([
    ['/v1/authz/auth-request', { convention: 'auth-request' }],
    ['/v1/authz/auth-request?x=1', { convention: 'auth-request' }],
    ['/v1/authz/forward-auth', { convention: 'forward-auth' }],
    ['/v1/authz/ext-authz', { convention: 'ext-authz', ownPath: '/' }],
    ['/v1/authz/ext-authz/grafana/d?x=1', { convention: 'ext-authz', ownPath: '/grafana/d?x=1' }],
    ['/v1/authz/ext-authzx', undefined],
    ['/v1/authz/other', undefined],
    ['/v1/decisions?userId=a&resourceId=b', undefined],
  ])('%s', (url, expected) => {
    expect(routeOf(url)).toEqual(expected);
  });
});

describe('trusted proxies', () => {
  const list = trustedNetworks(['127.0.0.2/32', '10.0.0.0/8', 'fd00::/8']);
  it.each([
    ['127.0.0.2', true],
    ['::ffff:127.0.0.2', true],
    ['127.0.0.3', false],
    ['10.9.8.7', true],
    ['fd12::1', true],
    ['fe80::1', false],
    [undefined, false],
  ])('%s → %s', (addr, trusted) => {
    expect(isTrustedPeer(list, addr)).toBe(trusted);
  });
  it('refuses what is not a CIDR', () => {
    expect(() => trustedNetworks(['gateway.internal/32'])).toThrow(/not a CIDR/);
  });
});

describe('answer', () => {
  const pages = consolePages('https://lapse.example/');
  const url = 'https://tools.example/grafana?a=1&b=2';
  const allowed: AuthzOutcome = {
    kind: 'allowed',
    userId: 'u1',
    email: 'ann@example.com',
    resourceId: 'r1',
  };
  const blocked: AuthzOutcome = {
    kind: 'blocked',
    resourceId: 'r1',
    state: 'LOCKED',
    reason: 'grant is locked: request access to unlock it',
    url,
  };
  const blockPage = `https://lapse.example/request/r1?return_to=${encodeURIComponent(url)}`;
  const signIn = `https://lapse.example/auth/login?return_to=${encodeURIComponent(url)}`;

  it('allowed: 200 with the identity headers, for every convention', () => {
    for (const c of ['auth-request', 'forward-auth', 'ext-authz'] as const) {
      expect(answer(c, allowed, true, pages)).toEqual({
        status: 200,
        headers: {
          'x-lapse-user-id': 'u1',
          'x-lapse-user-email': 'ann@example.com',
          'x-lapse-resource-id': 'r1',
        },
      });
    }
  });

  it('locked, browser: nginx gets 401 + X-Lapse-Location, the others a 302 to the block page', () => {
    const n = answer('auth-request', blocked, true, pages);
    expect(n.status).toBe(401);
    expect(n.headers['x-lapse-location']).toBe(blockPage);
    const f = answer('forward-auth', blocked, true, pages);
    expect(f).toEqual({ status: 302, headers: { location: blockPage } });
  });

  it('locked, API client: 403 JSON naming the state and the request page', () => {
    for (const c of ['auth-request', 'forward-auth', 'ext-authz'] as const) {
      const a = answer(c, blocked, false, pages);
      expect(a.status).toBe(403);
      expect(JSON.parse(a.body ?? '')).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'grant is locked: request access to unlock it',
        state: 'LOCKED',
        resourceId: 'r1',
        requestUrl: blockPage,
      });
      expect(a.headers['x-lapse-state']).toBe('LOCKED');
    }
  });

  it('no user: sign-in for a browser, 401 JSON for an API client', () => {
    const out: AuthzOutcome = { kind: 'sign-in', url };
    expect(answer('forward-auth', out, true, pages)).toEqual({
      status: 302,
      headers: { location: signIn },
    });
    expect(answer('auth-request', out, true, pages).headers['x-lapse-location']).toBe(signIn);
    const api = answer('auth-request', out, false, pages);
    expect(api.status).toBe(401);
    expect(api.headers['x-lapse-location']).toBeUndefined();
    expect(api.headers['www-authenticate']).toBe('Bearer');
  });

  it('no grant: 403 for browsers too', () => {
    const out: AuthzOutcome = {
      kind: 'denied',
      reason: 'no grant for this user and resource',
      state: 'NO_GRANT',
      resourceId: 'r1',
    };
    for (const browser of [true, false]) {
      const a = answer('forward-auth', out, browser, pages);
      expect(a.status).toBe(403);
      expect(JSON.parse(a.body ?? '').state).toBe('NO_GRANT');
    }
  });

  it('a browser is whoever accepts HTML', () => {
    expect(isBrowser('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(true);
    expect(isBrowser('application/json')).toBe(false);
    expect(isBrowser(undefined)).toBe(false);
  });
});

describe('authzVary', () => {
  it('names every header a user is identified by: a cache keeps one answer per user', () => {
    expect(authzVary('X-Corp-User')).toBe('Cookie, Authorization, X-Corp-User');
    expect(authzVary(undefined)).toBe('Cookie, Authorization');
  });
});

describe('andThen (a value now, or later)', () => {
  it('applies f at once to a value: no promise', () => {
    const out = andThen(2, (n) => n * 3);
    expect(out).toBe(6);
  });

  it('applies f once a promise settles, and chains values and promises', async () => {
    const later = andThen(Promise.resolve(2), (n) => n * 3);
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toBe(6);
    await expect(andThen(2, (n) => Promise.resolve(n + 1))).resolves.toBe(3);
  });

  it('lets a throw in f escape at once for a value, as a rejection for a promise', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    expect(() => andThen(1, boom)).toThrow('boom');
    await expect(andThen(Promise.resolve(1), boom)).rejects.toThrow('boom');
  });
});

describe('UsageCoalescer', () => {
  it('keeps one event per grant, the latest use', () => {
    const c = new UsageCoalescer();
    c.record('u1', 'r1', 1000, 'p');
    c.record('u1', 'r1', 3000, 'p');
    c.record('u1', 'r1', 2000, 'p');
    c.record('u2', 'r1', 1500);
    const out = c.take();
    expect(out).toEqual([
      { userId: 'u1', resourceId: 'r1', occurredAt: new Date(3000).toISOString(), proxyId: 'p' },
      { userId: 'u2', resourceId: 'r1', occurredAt: new Date(1500).toISOString() },
    ]);
    expect(c.size).toBe(0);
    expect(c.take()).toEqual([]);
  });

  it('carries the proxy of the latest use (the first one when two share a millisecond)', () => {
    const c = new UsageCoalescer();
    c.record('u1', 'r1', 1000, 'first');
    c.record('u1', 'r1', 1000, 'second');
    expect(c.take()).toEqual([
      {
        userId: 'u1',
        resourceId: 'r1',
        occurredAt: new Date(1000).toISOString(),
        proxyId: 'first',
      },
    ]);
    c.record('u1', 'r1', 1000, 'first');
    c.record('u1', 'r1', 2000);
    expect(c.take()).toEqual([
      { userId: 'u1', resourceId: 'r1', occurredAt: new Date(2000).toISOString() },
    ]);
  });

  it('restores unpublished events without losing a later use', () => {
    const c = new UsageCoalescer();
    c.record('u1', 'r1', 1000);
    c.record('u2', 'r2', 1000);
    const failed = c.take();
    c.record('u1', 'r1', 5000);
    c.restore(failed);
    const byUser = new Map(c.take().map((e) => [e.userId, e.occurredAt]));
    expect(byUser).toEqual(
      new Map([
        ['u1', new Date(5000).toISOString()],
        ['u2', new Date(1000).toISOString()],
      ]),
    );
  });
});

describe('forward-auth configuration', () => {
  const base = {
    DATABASE_URL: 'postgres://u:p@db:5432/lapse',
    LAPSE_JWT_SECRET: 'j'.repeat(64),
    LAPSE_SERVICE_SECRET: 's'.repeat(64),
  };
  it('reads trusted proxies as a list of CIDRs', () => {
    const c = loadServiceConfig({
      ...base,
      LAPSE_AUTHZ_TRUSTED_PROXIES: '127.0.0.1/32, 10.0.0.0/8,fd00::/8',
    });
    expect(c.LAPSE_AUTHZ_TRUSTED_PROXIES).toEqual(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8']);
    expect(loadServiceConfig(base).LAPSE_AUTHZ_TRUSTED_PROXIES).toEqual([]);
  });
  it.each(['gateway/32', '10.0.0.0/33', '10.0.0.0/8/1'])('refuses %s, naming the variable', (v) => {
    expect(() => loadServiceConfig({ ...base, LAPSE_AUTHZ_TRUSTED_PROXIES: v })).toThrow(
      /LAPSE_AUTHZ_TRUSTED_PROXIES/,
    );
  });
  it('takes the trusted identity header as an HTTP header name only', () => {
    expect(
      loadServiceConfig({ ...base, LAPSE_AUTHZ_TRUSTED_HEADER: 'X-Corp-User' })
        .LAPSE_AUTHZ_TRUSTED_HEADER,
    ).toBe('X-Corp-User');
    for (const bad of ['', 'X Corp User', 'X-User:', 'X-User\r\nX-Other'])
      expect(() => loadServiceConfig({ ...base, LAPSE_AUTHZ_TRUSTED_HEADER: bad })).toThrow(
        /LAPSE_AUTHZ_TRUSTED_HEADER/,
      );
  });
  it('answers on a Unix socket only when one is named; its mode is octal, 660 by default', () => {
    expect(loadServiceConfig(base).LAPSE_AUTHZ_SOCKET).toBeUndefined();
    const c = loadServiceConfig({ ...base, LAPSE_AUTHZ_SOCKET: '/run/lapse/authz.sock' });
    expect(c.LAPSE_AUTHZ_SOCKET).toBe('/run/lapse/authz.sock');
    expect(c.LAPSE_AUTHZ_SOCKET_MODE).toBe('660');
    expect(() => loadServiceConfig({ ...base, LAPSE_AUTHZ_SOCKET_MODE: '0x1ff' })).toThrow(
      /LAPSE_AUTHZ_SOCKET_MODE/,
    );
  });
});
