import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signProxyToken, signSessionToken } from '@lapse/auth';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';
import type { Consumer } from 'kafkajs';
import {
  TOPICS,
  deadLetterRecordSchema,
  usageEventSchema,
  type DeadLetterRecord,
  type UsageEvent,
} from '@lapse/contracts';
import {
  waitFor,
  kafkaAs,
  httpGet,
  positionAtEnd,
  sendRaw,
  startServiceProcess,
  uniqueSuffix,
  startCaddy,
  startEchoUpstream,
  startNginx,
  type RawResponse,
  type RunningProxy,
  type Upstream,
} from '@lapse/testing';

const CONSOLE = 'http://console.lapse.test:3000';
const SESSION_SECRET = 'forward-auth-test-session-secret-0123456789';
/** nginx asks from this address (proxy_bind): the one trusted proxy. */
const TRUSTED_PEER = '127.0.0.2';
/** And from this one in the "untrusted" server block: it must show a proxy token. */
const UNTRUSTED_PEER = '127.0.0.3';
const AUTO_LOCK_SECONDS = 10;
/**
 * The trusted identity header: not one of the usual ones (X-Auth-Request-Email, Remote-Email), so
 * the auth cache is shown to keep users apart whatever header an operator configures.
 */
const TRUSTED_HEADER = 'X-Corp-User';
const as = (email: string) => ({ [TRUSTED_HEADER.toLowerCase()]: email });
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const API = { accept: 'application/json' };

const deployed = (file: string) =>
  readFileSync(join(__dirname, '..', '..', '..', '..', 'deploy', 'proxies', file), 'utf8');

/**
 * The http-block content of deploy/proxies/nginx as shipped (lapse-http.conf, and with `cache`
 * the opt-in lapse-authz-cache-http.conf with its cache directory there) and a server block with
 * lapse-authz.conf (with `cache`, its commented include of lapse-authz-cache.conf replaced by that
 * file) and lapse-protect.conf, for the address of access-tracking, the peer address nginx asks
 * from (proxy_bind) and, when given, a proxy token. The server adds the auth cache's status of
 * each answer (`X-Lapse-Authz-Cache`).
 */
function nginxServer(
  port: number,
  authz: string,
  upstream: number,
  bind: string | undefined,
  opts: { proxyToken?: string; cacheDir?: string; socket?: string } = {},
): string {
  const server = opts.socket ? `unix:${opts.socket}` : authz.replace('http://', '');
  const httpConf = deployed('nginx/lapse-http.conf').replace(
    'server 127.0.0.1:3002;',
    `server ${server};`,
  );
  if (!httpConf.includes(server)) throw new Error('lapse-http.conf changed shape');
  const cacheInclude = '#include /etc/nginx/lapse/lapse-authz-cache.conf;';
  let authzConf = deployed('nginx/lapse-authz.conf').replace(
    '#proxy_set_header X-Lapse-Proxy-Authorization "Bearer <proxy token>";',
    `${bind ? `proxy_bind ${bind};` : ''}${opts.proxyToken ? ` proxy_set_header X-Lapse-Proxy-Authorization "Bearer ${opts.proxyToken}";` : ''}`,
  );
  if ((bind && !authzConf.includes(`proxy_bind ${bind}`)) || !authzConf.includes(cacheInclude))
    throw new Error('lapse-authz.conf changed shape');
  let cacheHttpConf = '';
  if (opts.cacheDir) {
    authzConf = authzConf.replace(cacheInclude, deployed('nginx/lapse-authz-cache.conf'));
    cacheHttpConf = deployed('nginx/lapse-authz-cache-http.conf').replace(
      '/var/cache/nginx/lapse-authz',
      opts.cacheDir,
    );
    if (!cacheHttpConf.includes(opts.cacheDir))
      throw new Error('lapse-authz-cache-http.conf changed shape');
  }
  return `
  ${httpConf}
  ${cacheHttpConf}
  server {
    listen 127.0.0.1:${port};
    ${authzConf}
    location / {
      ${deployed('nginx/lapse-protect.conf')}
      auth_request_set $lapse_authz_cache $upstream_cache_status;
      add_header X-Lapse-Authz-Cache $lapse_authz_cache always;
      proxy_pass http://127.0.0.1:${upstream};
    }
  }`;
}

interface Echo {
  path: string;
  headers: Record<string, string>;
}

/**
 * Forward-auth through real proxies: nginx (`auth_request`) and Caddy (`forward_auth`) in front
 * of an echo upstream, access-tracking and policy as child processes, the real grant workflow.
 */
describe('forward-auth through nginx and Caddy', () => {
  let s: LapseStack;
  let upstream: Upstream;
  let nginx: RunningProxy;
  let nginxUntrusted: RunningProxy;
  /** nginx with the opt-in auth cache. */
  let nginxCached: RunningProxy;
  let cacheDir = '';
  /** nginx asking over access-tracking's Unix socket (LAPSE_AUTHZ_SOCKET). */
  let nginxSocket: RunningProxy;
  const socketDir = mkdtempSync(join(tmpdir(), 'lapse-authz-socket-'));
  const socket = join(socketDir, 'authz.sock');
  let caddy: RunningProxy;
  let alice: { id: string; email: string };
  let bob: { id: string; email: string };
  const host: Record<'active' | 'jit' | 'none' | 'autolock' | 'cached', string> = {
    active: '',
    jit: '',
    none: '',
    autolock: '',
    cached: '',
  };
  const ids: Record<string, string> = {};
  let group: { id: string };

  beforeAll(async () => {
    // The usage topic is shared: this suite's group starts at its current end on every
    // partition (committed, so the freshness check before a lock sees a caught-up group).
    const usageGroup = `it-authz-usage-${uniqueSuffix()}`;
    const admin = kafkaAs('ops', usageGroup);
    await positionAtEnd(admin, usageGroup, TOPICS.usage);
    s = await startLapseStack('authz', {
      services: ['access-tracking'],
      serviceEnv: {
        'access-tracking': {
          LAPSE_AUTHZ_TRUSTED_PROXIES: `${TRUSTED_PEER}/32`,
          LAPSE_AUTHZ_TRUSTED_HEADER: TRUSTED_HEADER,
          LAPSE_SESSION_SECRET: SESSION_SECRET,
          LAPSE_CONSOLE_URL: CONSOLE,
          LAPSE_USAGE_GROUP_ID: usageGroup,
          LAPSE_AUTHZ_SOCKET: socket,
        },
      },
    });
    const at = s.services['access-tracking']?.url as string;
    const suffix = s.suffix.toLowerCase();
    for (const k of Object.keys(host) as (keyof typeof host)[])
      host[k] = `${k}-${suffix}.proxies.test`;
    alice = await s.admin.user('Alice', `alice-${suffix}@it.lapse`);
    bob = await s.admin.user('Bob', `bob-${suffix}@it.lapse`);
    group = await s.admin.group(`authz-${suffix}`, [alice.id]);
    const make = async (key: keyof typeof host, policy: unknown) => {
      const r = await s.admin.call<{ id: string }>('POST', '/v1/resources', {
        name: `${key}-${suffix}`,
        address: host[key],
        policy,
      });
      ids[key] = r.id;
      if (key !== 'none') await s.admin.assign(r.id, group.id);
    };
    await make('active', { autoLock: null, accessRequests: null });
    await make('jit', {
      autoLock: null,
      accessRequests: { accessPeriodSeconds: 3600, approval: 'MANUAL' },
    });
    await make('none', { autoLock: null, accessRequests: null });

    upstream = await startEchoUpstream();
    const proxyToken = await signProxyToken(s.serviceSecret, 'it-nginx');
    nginx = await startNginx((port) => nginxServer(port, at, upstream.port, TRUSTED_PEER));
    nginxUntrusted = await startNginx((port) =>
      nginxServer(port, at, upstream.port, UNTRUSTED_PEER, { proxyToken }),
    );
    cacheDir = mkdtempSync(join(tmpdir(), 'lapse-authz-cache-'));
    nginxCached = await startNginx((port) =>
      nginxServer(port, at, upstream.port, TRUSTED_PEER, { cacheDir }),
    );
    nginxSocket = await startNginx((port) =>
      nginxServer(port, at, upstream.port, undefined, { socket }),
    );
    // deploy/proxies/caddy/lapse.caddy as shipped, for this access-tracking, with its
    // proxy-token line on (this Caddy is not a trusted peer).
    const snippet = deployed('caddy/lapse.caddy')
      .replace('127.0.0.1:3002', at.replace('http://', ''))
      .replace('#header_up X-Lapse-Proxy-Authorization', 'header_up X-Lapse-Proxy-Authorization');
    if (!snippet.includes('\theader_up X-Lapse-Proxy-Authorization'))
      throw new Error('lapse.caddy changed shape');
    caddy = await startCaddy(
      (port) => `${snippet}
http://:${port} {
  import lapse
  reverse_proxy 127.0.0.1:${upstream.port}
}`,
      { LAPSE_PROXY_TOKEN: proxyToken },
    );
  }, 240_000);

  afterAll(async () => {
    await caddy?.stop();
    await nginxUntrusted?.stop();
    await nginxCached?.stop();
    await nginxSocket?.stop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
    await nginx?.stop();
    await upstream?.stop();
    await s?.stop();
    rmSync(socketDir, { recursive: true, force: true });
  });

  const viaNginx = (key: keyof typeof host, headers: Record<string, string>, path = '/app') =>
    httpGet(`${nginx.url}${path}`, { host: host[key], ...headers });
  let asAlice: Record<string, string> = {};
  const blockPage = (key: keyof typeof host, path = '/app') =>
    `${CONSOLE}/request/${ids[key]}?return_to=${encodeURIComponent(`http://${host[key]}${path}`)}`;

  /** Waits until policy, the grant workflow and access-tracking agree on the grant's state. */
  const settled = (
    what: string,
    call: () => Promise<RawResponse>,
    ok: (r: RawResponse) => boolean,
  ): Promise<RawResponse> =>
    waitFor(
      async () => {
        const r = await call();
        return ok(r) ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what },
    );

  beforeAll(() => {
    asAlice = as(alice.email.toUpperCase());
  });

  it('ACTIVE: nginx passes the request with the identity headers', async () => {
    const r = await settled(
      'the active grant through nginx',
      () => viaNginx('active', { ...API, ...asAlice }, '/app/page?x=1'),
      (r) => r.status === 200,
    );
    const echo = JSON.parse(r.body) as Echo;
    expect(echo.path).toBe('/app/page?x=1');
    expect(echo.headers['x-lapse-user-id']).toBe(alice.id);
    expect(echo.headers['x-lapse-user-email']).toBe(alice.email);
    expect(echo.headers['x-lapse-resource-id']).toBe(ids.active);
  });

  it('no grant: 403, for a user with no assignment and for a resource nobody is assigned', async () => {
    await settled(
      'bob known to forward-auth',
      () => viaNginx('active', { ...API, ...as(bob.email) }),
      (r) => r.status === 403,
    );
    const r = await viaNginx('none', { ...API, ...asAlice });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'no grant for this user and resource',
      state: 'NO_GRANT',
    });
    const unknown = await httpGet(`${nginx.url}/`, { host: 'nowhere.proxies.test', ...asAlice });
    expect(unknown.status).toBe(403);
    expect(JSON.parse(unknown.body).message).toBe('no Lapse resource at this address');
  });

  it('LOCKED, browser: 302 to the block page with return_to; API client: 403 JSON', async () => {
    const browser = await settled(
      'the JIT grant (LOCKED) through nginx',
      () => viaNginx('jit', { ...BROWSER, ...asAlice }),
      (r) => r.status === 302,
    );
    expect(browser.headers.location).toBe(blockPage('jit'));
    const api = await viaNginx('jit', { ...API, ...asAlice });
    expect(api.status).toBe(403);
    expect(api.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(api.body)).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'grant is locked: request access to unlock it',
      state: 'LOCKED',
    });
  });

  it('no user: a browser is sent to sign-in, an API client gets 401', async () => {
    const browser = await viaNginx('active', BROWSER, '/x');
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe(
      `${CONSOLE}/auth/login?return_to=${encodeURIComponent(`http://${host.active}/x`)}`,
    );
    expect((await viaNginx('active', API)).status).toBe(401);
  });

  it("an untrusted peer's identity header is ignored", async () => {
    const untrusted = (headers: Record<string, string>) =>
      httpGet(`${nginxUntrusted.url}/app`, { host: host.active, ...headers });
    // The same request the trusted nginx lets through…
    expect((await viaNginx('active', { ...API, ...asAlice })).status).toBe(200);
    // …is nobody's from an untrusted peer (which may ask, holding a proxy token).
    const r = await untrusted({ ...BROWSER, ...asAlice });
    expect(r.status).toBe(302);
    expect(r.headers.location).toMatch(new RegExp(`^${CONSOLE}/auth/login\\?return_to=`));
    // A bearer token still identifies the user through it.
    const bearer = await untrusted({
      ...API,
      authorization: `Bearer ${await s.tokenFor(alice.id)}`,
    });
    expect(bearer.status).toBe(200);
    expect((JSON.parse(bearer.body) as Echo).headers['x-lapse-user-id']).toBe(alice.id);
  });

  it('an offboarded user and a moved resource reach the proxy', async () => {
    const suffix = s.suffix.toLowerCase();
    const carol = await s.admin.user('Carol', `carol-${suffix}@it.lapse`);
    await s.admin.call('POST', `/v1/groups/${group.id}/members`, { userId: carol.id });
    const asCarol = { ...API, ...as(carol.email) };
    await settled(
      'carol through nginx',
      () => viaNginx('active', asCarol),
      (r) => r.status === 200,
    );
    await s.admin.call('DELETE', `/v1/users/${carol.id}`);
    // Offboarded (rule 12): nobody, so an API client must authenticate.
    await settled(
      'carol refused',
      () => viaNginx('active', asCarol),
      (r) => r.status === 401,
    );

    const moved = `moved-${suffix}.proxies.test`;
    await s.admin.call('PATCH', `/v1/resources/${ids.none}`, { address: moved });
    const atMoved = await settled(
      'the moved address',
      () => httpGet(`${nginx.url}/`, { host: moved, ...API, ...asAlice }),
      (r) => r.status === 403 && JSON.parse(r.body).state === 'NO_GRANT',
    );
    expect(JSON.parse(atMoved.body).message).toBe('no grant for this user and resource');
    const old = await viaNginx('none', { ...API, ...asAlice });
    expect(JSON.parse(old.body).message).toBe('no Lapse resource at this address');
  }, 180_000);

  it('a policy change that can never be applied goes to policy.changes.v1.dlq; the directory keeps following', async () => {
    const mirrorGroup = `at-authz-policy-${s.suffix}`;
    const readerGroup = `it-authz-mirror-dlq-${uniqueSuffix()}`;
    const ops = kafkaAs('ops', readerGroup);
    await positionAtEnd(ops, readerGroup, TOPICS.policyChangesDlq);
    const letters = new Map<string, DeadLetterRecord>();
    const reader: Consumer = ops.consumer({ groupId: readerGroup, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.policyChangesDlq });
    await reader.run({
      eachMessage: async ({ message }) => {
        const letter = deadLetterRecordSchema.parse(JSON.parse(message.value?.toString() ?? ''));
        // Every access-tracking on the shared broker refuses the same records: keep this one's.
        if (letter.source?.group === mirrorGroup)
          letters.set(message.key?.toString() ?? '', letter);
      },
    });
    try {
      const change = {
        id: `bad-${s.suffix}`,
        kind: 'user.updated',
        entityType: 'user',
        entityId: 'not-a-uuid',
        actorId: null,
        at: new Date().toISOString(),
        before: null,
        after: null,
      };
      await sendRaw(TOPICS.policyChanges, [
        { key: `not-json-${s.suffix}`, value: '{"kind": "user.updated", ' },
        { key: `not-uuid-${s.suffix}`, value: JSON.stringify(change) },
      ]);
      await waitFor(async () => (letters.size >= 2 ? true : undefined), {
        timeoutMs: 60_000,
        what: 'both records in policy.changes.v1.dlq',
      });
      expect(letters.get(`not-uuid-${s.suffix}`)).toMatchObject({
        error: 'entityId: must be a UUID',
        original: change,
        source: { topic: TOPICS.policyChanges, group: mirrorGroup },
      });
      expect(letters.get(`not-json-${s.suffix}`)?.error).toMatch(/JSON/i);

      // The mirror moved on: the next real change reaches the proxy.
      const suffix = s.suffix.toLowerCase();
      const dave = await s.admin.user('Dave', `dave-${suffix}@it.lapse`);
      await s.admin.call('POST', `/v1/groups/${group.id}/members`, { userId: dave.id });
      await settled(
        'dave through nginx',
        () => viaNginx('active', { ...API, ...as(dave.email) }),
        (r) => r.status === 200,
      );
    } finally {
      await reader.disconnect();
    }
  }, 180_000);

  it('a peer that is neither trusted nor holding a proxy token is refused', async () => {
    const at = s.services['access-tracking']?.url as string;
    const r = await httpGet(`${at}/v1/authz/forward-auth`, {
      'x-forwarded-host': host.active,
      'x-forwarded-uri': '/',
      ...as(alice.email),
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).message).toMatch(/not a trusted proxy/);
    // The three endpoints are in the service's OpenAPI document.
    const doc = JSON.parse((await httpGet(`${at}/docs-json`)).body) as { paths: object };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/authz/auth-request',
        '/v1/authz/forward-auth',
        '/v1/authz/ext-authz/{path}',
      ]),
    );
  });

  it('Caddy forward_auth: session cookie passes ACTIVE; LOCKED browser 302, API 403 JSON', async () => {
    const session = await signSessionToken(SESSION_SECRET, {
      userId: alice.id,
      email: alice.email,
      sessionId: 'it-session',
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const viaCaddy = (key: keyof typeof host, headers: Record<string, string>) =>
      httpGet(`${caddy.url}/app`, { host: host[key], ...headers });
    const ok = await settled(
      'the active grant through Caddy',
      () => viaCaddy('active', { ...BROWSER, cookie: `other=1; lapse_session=${session}` }),
      (r) => r.status === 200,
    );
    const echo = JSON.parse(ok.body) as Echo;
    expect(echo.headers['x-lapse-user-id']).toBe(alice.id);
    expect(echo.headers['x-lapse-user-email']).toBe(alice.email);
    expect(echo.headers['x-lapse-resource-id']).toBe(ids.active);

    const locked = await viaCaddy('jit', { ...BROWSER, cookie: `lapse_session=${session}` });
    expect(locked.status).toBe(302);
    expect(locked.headers.location).toBe(blockPage('jit'));

    const bearer = `Bearer ${await s.tokenFor(alice.id)}`;
    const api = await viaCaddy('jit', { ...API, authorization: bearer });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({ state: 'LOCKED', resourceId: ids.jit });
    expect((await viaCaddy('none', { ...API, authorization: bearer })).status).toBe(403);
    // Caddy's peer is not trusted: its identity header counts for nothing.
    expect((await viaCaddy('active', { ...API, ...asAlice })).status).toBe(401);
  });

  it('use through the proxy alone keeps a grant ACTIVE past its auto-lock duration; idle, it locks', async () => {
    // The grant's clock starts when it is created: create it now, and use it from the first
    // moment forward-auth knows it.
    const suffix = s.suffix.toLowerCase();
    const resource = await s.admin.call<{ id: string }>('POST', '/v1/resources', {
      name: `autolock-${suffix}`,
      address: host.autolock,
      policy: {
        autoLock: { durationSeconds: AUTO_LOCK_SECONDS, approval: 'MANUAL' },
        accessRequests: null,
      },
    });
    ids.autolock = resource.id;
    await s.admin.assign(resource.id, group.id);
    await settled(
      'the auto-lock grant through nginx',
      () => viaNginx('autolock', { ...API, ...asAlice }),
      (r) => r.status === 200,
    );
    // Use it through nginx for two and a half auto-lock periods: it never locks.
    const until = Date.now() + 2.5 * AUTO_LOCK_SECONDS * 1000;
    let uses = 0;
    while (Date.now() < until) {
      const r = await viaNginx('autolock', { ...API, ...asAlice });
      expect(r.status).toBe(200);
      uses++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(uses).toBeGreaterThan(2 * AUTO_LOCK_SECONDS);
    // Left alone, it locks (asked through decisions, which is not a use), and a browser is sent
    // to the block page.
    const at = s.services['access-tracking']?.url as string;
    const service = await signProxyToken(s.serviceSecret, 'it-nginx');
    await waitFor(
      async () => {
        const res = await fetch(
          `${at}/v1/decisions?userId=${alice.id}&resourceId=${ids.autolock}`,
          { headers: { authorization: `Bearer ${service}` } },
        );
        const d = (await res.json()) as { state: string };
        return d.state === 'LOCKED' ? d : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the idle grant to lock' },
    );
    const locked = await viaNginx('autolock', { ...BROWSER, ...asAlice });
    expect(locked.status).toBe(302);
    expect(locked.headers.location).toBe(blockPage('autolock'));
  }, 240_000);

  it('over the Unix socket (LAPSE_AUTHZ_SOCKET): the same answers, its peer a trusted proxy', async () => {
    const viaSocket = (key: keyof typeof host, headers: Record<string, string>) =>
      httpGet(`${nginxSocket.url}/app`, { host: host[key], ...headers });
    // The identity header is believed: whoever can open the socket is a trusted proxy.
    const active = await viaSocket('active', { ...API, ...asAlice });
    expect(active.status).toBe(200);
    const echo = JSON.parse(active.body) as Echo;
    expect(echo.headers['x-lapse-user-id']).toBe(alice.id);
    expect(echo.headers['x-lapse-resource-id']).toBe(ids.active);
    const locked = await viaSocket('jit', { ...BROWSER, ...asAlice });
    expect(locked.status).toBe(302);
    expect(locked.headers.location).toBe(blockPage('jit'));
    expect((await viaSocket('none', { ...API, ...asAlice })).status).toBe(403);
    // The socket answers forward-auth only.
    const other = await new Promise<number>((resolve, reject) =>
      request({ socketPath: socket, path: '/v1/decisions' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    expect(other).toBe(404);
  });

  it('with the opt-in auth cache: each user behind the trusted header gets only their own answer, and a grant that locks is refused', async () => {
    const suffix = s.suffix.toLowerCase();
    // A second user with a grant on the same resource (alice's group).
    const erin = await s.admin.user('Erin', `erin-${suffix}@it.lapse`);
    await s.admin.call('POST', `/v1/groups/${group.id}/members`, { userId: erin.id });
    const resource = await s.admin.call<{ id: string }>('POST', '/v1/resources', {
      name: `cached-${suffix}`,
      address: host.cached,
      policy: {
        autoLock: { durationSeconds: AUTO_LOCK_SECONDS, approval: 'MANUAL' },
        accessRequests: null,
      },
    });
    ids.cached = resource.id;
    await s.admin.assign(resource.id, group.id);
    const viaCache = (headers: Record<string, string>) =>
      httpGet(`${nginxCached.url}/app`, { host: host.cached, ...API, ...headers });
    const userIdOf = (r: RawResponse) => (JSON.parse(r.body) as Echo).headers['x-lapse-user-id'];
    const cacheOf = (r: RawResponse) => r.headers['x-lapse-authz-cache'];
    const asErin = as(erin.email);
    const asBob = as(bob.email);
    for (const [name, who] of [
      ['alice', asAlice],
      ['erin', asErin],
    ] as const)
      await settled(
        `${name}'s grant through the caching nginx`,
        () => viaCache(who),
        (r) => r.status === 200,
      );
    // Asked again within the cache's second, nginx answers from its cache; the application still
    // gets the user's identity.
    const hit = await settled(
      'an answer from the auth cache',
      () => viaCache(asAlice),
      (r) => cacheOf(r) === 'HIT',
    );
    expect(hit.status).toBe(200);
    expect(userIdOf(hit)).toBe(alice.id);
    // Erin and bob at the same address, between two of alice's requests answered from the cache
    // (her remembered answer was there all along): each gets their own answer, not alice's.
    const between = await waitFor(
      async () => {
        const before = await viaCache(asAlice);
        const erins = await viaCache(asErin);
        const bobs = await viaCache(asBob);
        const after = await viaCache(asAlice);
        return cacheOf(before) === 'HIT' && cacheOf(after) === 'HIT'
          ? { erins, bobs, after }
          : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: "erin and bob asking while alice's answer is remembered",
      },
    );
    expect(between.erins.status).toBe(200);
    expect(userIdOf(between.erins)).toBe(erin.id);
    expect(between.bobs.status).toBe(403);
    expect(JSON.parse(between.bobs.body)).toMatchObject({ state: 'NO_GRANT' });
    expect(userIdOf(between.after)).toBe(alice.id);
    // Erin's answer is remembered too, as hers.
    const erinsHit = await settled(
      "erin's answer from the auth cache",
      () => viaCache(asErin),
      (r) => cacheOf(r) === 'HIT',
    );
    expect(userIdOf(erinsHit)).toBe(erin.id);
    // Left alone, the grant locks; the cached "allowed" is older than its auto-lock period by
    // then (at most one cache period), so the next request is asked about and refused.
    const at = s.services['access-tracking']?.url as string;
    const service = await signProxyToken(s.serviceSecret, 'it-nginx');
    await waitFor(
      async () => {
        const res = await fetch(`${at}/v1/decisions?userId=${alice.id}&resourceId=${ids.cached}`, {
          headers: { authorization: `Bearer ${service}` },
        });
        const d = (await res.json()) as { state: string };
        return d.state === 'LOCKED' ? d : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the idle grant to lock' },
    );
    const locked = await viaCache({ ...BROWSER, ...asAlice });
    expect(locked.status).toBe(302);
    expect(locked.headers.location).toBe(blockPage('cached'));
    // An API client is refused with the grant's state.
    const api = await viaCache(asAlice);
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({ state: 'LOCKED' });
  }, 180_000);

  it('uses recorded but not yet published are published on SIGTERM, not lost', async () => {
    // A second access-tracking whose timer would publish only in ten minutes: only the
    // shutdown flush can publish the use.
    const kafka = kafkaAs('ops', `it-flush-${s.suffix}`);
    const groupId = `it-flush-reader-${s.suffix}`;
    await positionAtEnd(kafka, groupId, TOPICS.usage);
    const seen: UsageEvent[] = [];
    const reader: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.usage });
    await reader.run({
      eachMessage: async ({ message }) => {
        // Other suites put malformed records on this shared topic on purpose: skip them.
        let value: unknown;
        try {
          value = JSON.parse(message.value?.toString() ?? 'null');
        } catch {
          return;
        }
        const e = usageEventSchema.safeParse(value);
        if (e.success) seen.push(e.data);
      },
    });
    const second = await startServiceProcess('access-tracking', {
      ...s.env,
      LAPSE_POLICY_URL: s.policy.url,
      LAPSE_USAGE_GROUP_ID: `it-flush-usage-${s.suffix}`,
      LAPSE_USAGE_FROM_BEGINNING: 'false',
      LAPSE_GRANT_STATE_GROUP_ID: `it-flush-grants-${s.suffix}`,
      LAPSE_AUTHZ_POLICY_GROUP_ID: `it-flush-policy-${s.suffix}`,
      LAPSE_ACTIVITY_HOST_ENABLED: 'false',
      LAPSE_AUTHZ_USAGE_FLUSH_MS: '600000',
    });
    try {
      const proxyToken = await signProxyToken(s.serviceSecret, 'it-flush');
      const bearer = `Bearer ${await s.tokenFor(alice.id)}`;
      await settled(
        'the second access-tracking to allow alice',
        () =>
          httpGet(`${second.url}/v1/authz/forward-auth`, {
            'x-forwarded-host': host.active,
            'x-forwarded-uri': '/flush',
            'x-lapse-proxy-authorization': `Bearer ${proxyToken}`,
            authorization: bearer,
          }),
        (r) => r.status === 200,
      );
      const usedAt = Date.now();
      expect(await second.stop('SIGTERM')).toBe(0);
      const event = await waitFor(
        () =>
          seen.find(
            (e) => e.proxyId === 'it-flush' && e.userId === alice.id && e.resourceId === ids.active,
          ),
        { timeoutMs: 30_000, what: 'the use flushed on shutdown' },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n--- access-tracking ---\n${second.output().slice(-3000)}`);
      });
      expect(Date.parse(event.occurredAt)).toBeLessThanOrEqual(usedAt);
      expect(seen.filter((e) => e.proxyId === 'it-flush')).toHaveLength(1);
    } finally {
      await second.stop('SIGKILL');
      await reader.disconnect();
    }
  }, 120_000);
});
