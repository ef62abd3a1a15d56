/**
 * `npm run bench -- authz`: what forward-auth costs at the proxy. One nginx serves the same small
 * upstream on several ports: alone, and with `auth_request` to Lapse in each configuration an
 * operator can choose (access-tracking behind a keepalive upstream; the same with the opt-in one-
 * second auth cache of deploy/proxies/nginx; several access-tracking replicas), all in one run,
 * for a mix of users and resources (each request names one user with an ACTIVE grant on one
 * resource, picked at random): closed loop with wrk (throughput ratio to nginx alone), then at a
 * fixed rate with vegeta (added p50 / p99). A fixed rate is only a latency measurement while the
 * setup sustains it; when it does not, the run says so and also measures at a rate the
 * configuration sustains. The cache's hit rate is what Lapse did not see: 1 − checks / answers.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';
import {
  waitFor,
  freePort,
  httpGet,
  startNginx,
  startServiceProcess,
  type RunningService,
} from '@lapse/testing';
import { benchLog, benchRun } from './lib/bench-run';
import { profileEnv } from './lib/cpu-profile-env';
import { inLanes } from './lib/lanes';
import {
  HELD_SHARE,
  ensureLoadTools,
  heldRate,
  loadToolVersions,
  runLoad,
  sustainableRate,
  type LoadResult,
  type Variant,
} from './lib/http-load';

const log = benchLog('authz');

/** The resources' addresses: `r<i>.bench.lapse.test`. */
const hostOf = (i: number) => `r${i}.bench.lapse.test`;

const deployed = (file: string) =>
  readFileSync(join(__dirname, '..', 'deploy', 'proxies', 'nginx', file), 'utf8');

/** The ports of the servers in the bench's nginx. */
export interface BenchPorts {
  app: number;
  plain: number;
  authz: number;
  cached: number;
  replicas: number;
  socket: number;
}

/**
 * The bench's nginx: the upstream application, nginx alone in front of it, and `auth_request`
 * to Lapse (one replica; the same with deploy/proxies/nginx's opt-in auth cache as shipped;
 * every replica).
 */
export function nginxServers(
  lapse: string[],
  ports: BenchPorts,
  cacheDir: string,
  socket: string,
): string {
  const cacheHttp = deployed('lapse-authz-cache-http.conf').replace(
    '/var/cache/nginx/lapse-authz',
    cacheDir,
  );
  if (!cacheHttp.includes(cacheDir)) throw new Error('lapse-authz-cache-http.conf changed shape');
  const upstream = (name: string, urls: string[]) => `
  upstream ${name} {
    ${urls.map((u) => `server ${u.replace('http://', '')};`).join('\n    ')}
    keepalive 64;
    keepalive_timeout 4s; # below Node's 5 s: nginx never reuses a connection Lapse is closing
  }`;
  const protectedServer = (port: number, lapseUpstream: string, cache: string) => `
  server {
    listen 127.0.0.1:${port};
    location = /_lapse_authz {
      internal;
      proxy_pass http://${lapseUpstream}/v1/authz/auth-request;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
      proxy_set_header X-Original-Method $request_method;
      ${cache}
    }
    location / {
      auth_request /_lapse_authz;
      auth_request_set $lapse_location $upstream_http_x_lapse_location;
      auth_request_set $lapse_user_id $upstream_http_x_lapse_user_id;
      error_page 401 =302 $lapse_location;
      proxy_set_header X-Lapse-User-Id $lapse_user_id;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://bench_app;
    }
  }`;
  return `
  ${upstream('lapse_authz', lapse.slice(0, 1))}
  ${upstream('lapse_authz_replicas', lapse)}
  ${upstream('lapse_authz_socket', [`unix:${socket}`])}
  ${cacheHttp}
  upstream bench_app { server 127.0.0.1:${ports.app}; keepalive 64; }
  server {
    listen 127.0.0.1:${ports.app};
    location / { return 200 "ok\\n"; }
  }
  server {
    listen 127.0.0.1:${ports.plain};
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://bench_app;
    }
  }
  ${protectedServer(ports.authz, 'lapse_authz', '')}
  ${protectedServer(ports.cached, 'lapse_authz', deployed('lapse-authz-cache.conf'))}
  ${protectedServer(ports.replicas, 'lapse_authz_replicas', '')}
  ${protectedServer(ports.socket, 'lapse_authz_socket', '')}`;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** What Lapse's /metrics say, summed over replicas: allowed auth-request checks, CPU seconds. */
async function lapseCounters(lapseUrls: string[]): Promise<{ checks: number; cpuSeconds: number }> {
  let checks = 0;
  let cpuSeconds = 0;
  for (const url of lapseUrls) {
    const lines = (await (await fetch(`${url}/metrics`)).text()).split('\n');
    const value = (match: (l: string) => boolean) => {
      const line = lines.find(match);
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
    };
    checks += value(
      (l) =>
        l.startsWith('lapse_authz_requests_total{') &&
        l.includes('convention="auth-request"') &&
        l.includes('outcome="allowed"'),
    );
    cpuSeconds += value((l) => l.startsWith('lapse_process_cpu_seconds_total'));
  }
  return { checks, cpuSeconds };
}

/**
 * Users × resources, every user with an ACTIVE grant on every resource (one group assigned to
 * all): the identity mix of the load. Waits until every replica allows every pair.
 */
async function identityMix(s: LapseStack, users: number, resources: number, lapse: string[]) {
  const suffix = s.suffix.toLowerCase();
  log(`creating ${users} users and ${resources} resources (${users * resources} grants)…`);
  const created = await inLanes(
    Array.from({ length: users }, (_, i) => i),
    8,
    (i) => s.admin.user(`Bench ${i}`, `bench-${suffix}-${i}@bench.lapse`),
  );
  const group = await s.admin.group(
    `bench-${suffix}`,
    created.map((u) => u.id),
  );
  for (let r = 0; r < resources; r++) {
    const resource = await s.admin.call<{ id: string }>('POST', '/v1/resources', {
      name: `bench-${suffix}-${r}`,
      address: hostOf(r),
      policy: { autoLock: null, accessRequests: null },
    });
    await s.admin.assign(resource.id, group.id);
  }
  const pairs = created.flatMap((u) =>
    Array.from({ length: resources }, (_, r) => ({ email: u.email, host: hostOf(r) })),
  );
  for (const url of lapse) {
    let pending = pairs;
    await waitFor(
      async () => {
        const allowed = await inLanes(pending, 16, async (p) => {
          const r = await httpGet(`${url}/v1/authz/auth-request`, {
            'x-original-url': `http://${p.host}/`,
            'x-auth-request-email': p.email,
          });
          return r.status === 200;
        });
        pending = pending.filter((_, i) => !allowed[i]);
        if (pending.length > 0)
          log(`${pending.length} of ${pairs.length} grants not yet ACTIVE at ${url}`);
        return pending.length === 0 ? true : undefined;
      },
      {
        timeoutMs: 15 * 60_000,
        intervalMs: 2000,
        what: `every grant ACTIVE at ${url}`,
      },
    );
  }
  return pairs;
}

/** The load's requests: every pair on each of `paths` paths (`/p<k>`), through nginx or direct. */
export function requestMix(
  pairs: { email: string; host: string }[],
  paths: number,
): { viaNginx: Variant[]; direct: Variant[] } {
  const viaNginx: Variant[] = [];
  const direct: Variant[] = [];
  for (const p of pairs)
    for (let k = 0; k < paths; k++) {
      viaNginx.push({ path: `/p${k}`, headers: { host: p.host, 'x-auth-request-email': p.email } });
      direct.push({
        headers: { 'x-original-url': `http://${p.host}/p${k}`, 'x-auth-request-email': p.email },
      });
    }
  return { viaNginx, direct };
}

interface Measured extends LoadResult {
  /** Through Lapse: the allowed checks its replicas counted during the load. */
  lapseChecks?: number;
  /** Their CPU time over the load per check (all of their work, background included). */
  lapseCpuUsPerCheck?: number;
  /** Answers nginx gave without asking Lapse: 1 − checks / 2xx answers. */
  hitRate?: number;
}

function compare(rate: number, plain: Measured, through: Measured) {
  const held = heldRate(plain) && heldRate(through);
  return {
    rate,
    nginxAlone: { ...plain, held: heldRate(plain) },
    withLapse: { ...through, held: heldRate(through) },
    held,
    addedP50Ms: r3(through.p50Ms - plain.p50Ms),
    addedP99Ms: r3(through.p99Ms - plain.p99Ms),
  };
}

export async function runAuthzBench(argv: string[]): Promise<void> {
  const {
    opts: { seconds, warmup, rate, connections, profile, users, resources, paths, replicas },
    write,
  } = benchRun('authz', argv, {
    seconds: 10,
    warmup: 2,
    rate: 5000,
    connections: 10,
    /** A directory: access-tracking records a CPU profile and writes it there when it stops. */
    profile: '',
    /** The identity mix: users × resources, each user with an ACTIVE grant on each resource… */
    users: 1000,
    resources: 2,
    /** …asking for this many paths of each: users × resources × paths distinct requests. */
    paths: 5,
    /** access-tracking processes behind the "replicas" configuration's upstream. */
    replicas: 2,
  });
  if (users < 1 || resources < 1 || paths < 1 || replicas < 1)
    throw new Error('--users, --resources, --paths and --replicas must be at least 1');
  ensureLoadTools();
  const tools = loadToolVersions();

  const authzEnv = {
    LAPSE_AUTHZ_TRUSTED_PROXIES: '127.0.0.1/32',
    LAPSE_AUTHZ_TRUSTED_HEADER: 'X-Auth-Request-Email',
    LAPSE_USAGE_FROM_BEGINNING: 'false',
  };
  // The cache and the first access-tracking's Unix socket: on tmpfs when there is one.
  const cacheDir = mkdtempSync(
    join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lapse-authz-cache-'),
  );
  const socketDir = mkdtempSync(join(tmpdir(), 'lapse-authz-socket-'));
  const socket = join(socketDir, 'authz.sock');
  log('starting policy, access-tracking and the grant workflow…');
  const s = await startLapseStack('bench-authz', {
    services: ['access-tracking'],
    env: { LOG_LEVEL: 'warn' },
    serviceEnv: {
      'access-tracking': { ...authzEnv, ...profileEnv(profile), LAPSE_AUTHZ_SOCKET: socket },
    },
  });
  const extra: RunningService[] = [];
  try {
    // More replicas: each reads every grant and the directory on its own (own consumer groups),
    // shares the usage group, and hosts no Temporal activities.
    for (let i = 1; i < replicas; i++)
      extra.push(
        await startServiceProcess('access-tracking', {
          ...s.env,
          ...authzEnv,
          ...profileEnv(profile),
          LAPSE_POLICY_URL: s.policy.url,
          LAPSE_USAGE_GROUP_ID: `at-usage-${s.suffix}`,
          LAPSE_GRANT_STATE_GROUP_ID: `bench-grants-${s.suffix}-${i}`,
          LAPSE_AUTHZ_POLICY_GROUP_ID: `bench-policy-${s.suffix}-${i}`,
          LAPSE_ACTIVITY_HOST_ENABLED: 'false',
        }),
      );
    const at = s.services['access-tracking']?.url as string;
    const lapse = [at, ...extra.map((e) => e.url)];
    const setupStarted = Date.now();
    const pairs = await identityMix(s, users, resources, lapse);
    const setupSeconds = Math.round((Date.now() - setupStarted) / 1000);
    log(`${pairs.length} grants ACTIVE at every replica after ${setupSeconds} s`);

    const ports: BenchPorts = {
      app: await freePort(),
      plain: await freePort(),
      authz: await freePort(),
      cached: await freePort(),
      replicas: await freePort(),
      socket: await freePort(),
    };
    const nginx = await startNginx(() => nginxServers(lapse, ports, cacheDir, socket), {
      port: ports.plain,
    });
    const headers = { accept: '*/*' };
    const { viaNginx, direct } = requestMix(pairs, paths);
    const url = (port: number) => `http://127.0.0.1:${port}/`;
    try {
      await waitFor(
        async () =>
          (await httpGet(url(ports.cached), { ...headers, ...viaNginx[0].headers })).status === 200
            ? true
            : undefined,
        { timeoutMs: 60_000, intervalMs: 250, what: 'a grant to be ACTIVE through nginx' },
      );
      const checksBefore = (await lapseCounters(lapse)).checks;
      /** One load after its warm-up; through Lapse, what its replicas counted during it. */
      const run = async (
        what: string,
        target: string,
        through: string[] | null,
        r?: number,
        variants: Variant[] = viaNginx,
      ): Promise<Measured> => {
        const spec = { url: target, headers, connections, variants };
        if (warmup > 0) await runLoad({ ...spec, seconds: warmup, rate: r });
        const before = through ? await lapseCounters(through) : undefined;
        const res = await runLoad({ ...spec, seconds, rate: r });
        const after = through ? await lapseCounters(through) : undefined;
        let lapseFigures = {};
        if (before && after) {
          const checks = after.checks - before.checks;
          const answered = res.requests - res.non2xx - res.errors;
          lapseFigures = {
            lapseChecks: checks,
            lapseCpuUsPerCheck: Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / checks),
            hitRate: r3(Math.max(0, 1 - checks / answered)),
          };
        }
        const m: Measured = { ...res, ...lapseFigures };
        log(
          `${what} (${res.tool}): ${res.requestsPerSecond} req/s${res.sentPerSecond === undefined ? '' : ` (sent ${res.sentPerSecond}/s)`}, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, non-2xx ${res.non2xx}, errors ${res.errors}${m.lapseCpuUsPerCheck === undefined ? '' : `, Lapse CPU ${m.lapseCpuUsPerCheck} µs/check, hit rate ${m.hitRate}`}`,
        );
        return m;
      };

      const configurations = [
        {
          name: 'auth_request',
          description: 'nginx auth_request to one access-tracking (keepalive upstream), no cache',
          url: url(ports.authz),
          lapse: [at],
        },
        {
          name: 'auth_request + 1 s cache',
          description:
            'the same with the opt-in auth cache of deploy/proxies/nginx (allowed answers, 1 s, per user and address)',
          url: url(ports.cached),
          lapse: [at],
        },
        {
          name: 'auth_request over a Unix socket',
          description:
            'nginx auth_request to the same access-tracking on its LAPSE_AUTHZ_SOCKET (keepalive upstream), no cache',
          url: url(ports.socket),
          lapse: [at],
        },
        ...(replicas > 1
          ? [
              {
                name: `auth_request, ${replicas} replicas`,
                description: `nginx auth_request to ${replicas} access-tracking processes in one upstream, no cache`,
                url: url(ports.replicas),
                lapse,
              },
            ]
          : []),
      ];

      const closedPlain = await run('closed loop, nginx alone', url(ports.plain), null);
      // The ceiling of one Lapse process: wrk asks access-tracking directly, as nginx would.
      const lapseAlone = await run(
        'closed loop, Lapse alone',
        `${at}/v1/authz/auth-request`,
        [at],
        undefined,
        direct,
      );
      const fixedPlain = await run(`${rate} req/s, nginx alone`, url(ports.plain), null, rate);
      const results = [];
      for (const c of configurations) {
        const closed = await run(`closed loop, nginx + ${c.name}`, c.url, c.lapse);
        const fixed = compare(
          rate,
          fixedPlain,
          await run(`${rate} req/s, nginx + ${c.name}`, c.url, c.lapse, rate),
        );
        let sustainable: ReturnType<typeof compare> | null = null;
        if (!fixed.held) {
          const r = sustainableRate(closed.requestsPerSecond);
          log(`${rate} req/s not sustained with ${c.name}: measuring at ${r} req/s`);
          sustainable = compare(
            r,
            await run(`${r} req/s, nginx alone`, url(ports.plain), null, r),
            await run(`${r} req/s, nginx + ${c.name}`, c.url, c.lapse, r),
          );
        }
        const throughputRatio = r3(closed.requestsPerSecond / closedPlain.requestsPerSecond);
        results.push({
          name: c.name,
          description: c.description,
          closedLoop: closed,
          throughputRatio,
          fixedRate: fixed,
          sustainableRate: sustainable,
          goals: {
            throughputMet: throughputRatio >= 0.5,
            // The added p99 at a rate that one of the two setups does not sustain is queueing.
            addedP99Measurable: fixed.held,
            addedP99Met: fixed.held ? fixed.addedP99Ms <= 1 : false,
          },
        });
        log(
          `${c.name}: throughput ratio ${throughputRatio}; at ${rate} req/s added p50 ${fixed.addedP50Ms} ms, p99 ${fixed.addedP99Ms} ms${fixed.held ? '' : ' (not sustained)'}${sustainable ? `; at ${sustainable.rate} req/s added p50 ${sustainable.addedP50Ms} ms, p99 ${sustainable.addedP99Ms} ms` : ''}`,
        );
      }
      const lapseChecks = (await lapseCounters(lapse)).checks - checksBefore;

      const file = write(
        {
          setup: {
            nginx:
              '1 worker, keepalive upstreams (64 to Lapse, 4 s idle, request body not passed); the upstream is an nginx server returning 200',
            lapse: `access-tracking child process(es); identity from X-Auth-Request-Email (trusted peer); ${replicas} replica(s) started, the first alone behind "auth_request", the cache and the Unix socket`,
            identityMix: {
              users,
              resources,
              grants: pairs.length,
              paths,
              distinctRequests: pairs.length * paths,
              pick: 'each request: one user with an ACTIVE grant on one resource and one of its paths /p<k>, uniformly at random',
              setupSeconds,
            },
            client: `closed loop: ${tools.wrk}, 1 thread; fixed rate: vegeta ${tools.vegeta} (open model: each request at its scheduled time)`,
            tools,
            seconds,
            warmupSeconds: warmup,
            connections,
            heldShare: HELD_SHARE,
            replicas,
          },
          lapseChecks,
          nginxAlone: {
            closedLoop: closedPlain,
            fixedRate: { ...fixedPlain, held: heldRate(fixedPlain) },
          },
          lapseAlone,
          configurations: results,
          goals: { addedP99MsAtMost: 1, throughputRatioAtLeast: 0.5, rate },
        },
        'shared 2-core machine; the load average says how much other work ran beside the bench',
      );
      log(`→ ${file}`);
    } finally {
      await nginx.stop();
    }
  } finally {
    for (const e of extra.reverse()) await e.stop();
    await s.stop();
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(socketDir, { recursive: true, force: true });
  }
}
