/**
 * `npm run bench -- authz`: what forward-auth costs at the proxy. The same nginx serves the same
 * small upstream on two ports, one with `auth_request` to Lapse (access-tracking, policy and the
 * real grant workflow, a user with an ACTIVE grant named by the trusted header) and one without,
 * in one run: closed loop with wrk (throughput ratio), then at a fixed rate with vegeta (added
 * p50 / p99). A fixed rate is only a latency measurement while the setup sustains it; when it
 * does not (the answers fall behind and the figures are queueing), the run says so and also
 * measures both at a rate the Lapse path sustains.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startLapseStack } from '@lapse/grant-runtime/testing';
import { waitFor, freePort, httpGet, startNginx } from '@lapse/testing';
import { parseArgs } from './lib/args';
import {
  HELD_SHARE,
  ensureLoadTools,
  heldRate,
  loadToolVersions,
  runLoad,
  sustainableRate,
  type LoadResult,
} from './lib/http-load';
import { machineInfo, writeResults } from './lib/results';

const HOST = 'app.bench.lapse.test';

export function nginxServers(
  port: number,
  authzUrl: string,
  ports: { plain: number; app: number },
) {
  return `
  upstream lapse_authz {
    server ${authzUrl.replace('http://', '')};
    keepalive 64;
    keepalive_timeout 4s; # below Node's 5 s: nginx never reuses a connection Lapse is closing
  }
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
  server {
    listen 127.0.0.1:${port};
    location = /_lapse_authz {
      internal;
      proxy_pass http://lapse_authz/v1/authz/auth-request;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
      proxy_set_header X-Original-Method $request_method;
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
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

function compare(rate: number, plain: LoadResult, authz: LoadResult) {
  return {
    rate,
    nginxAlone: { ...plain, held: heldRate(plain) },
    withAuthRequest: { ...authz, held: heldRate(authz) },
    addedP50Ms: r3(authz.p50Ms - plain.p50Ms),
    addedP99Ms: r3(authz.p99Ms - plain.p99Ms),
  };
}

/** What Lapse's /metrics says: allowed auth-request checks, and its process's CPU seconds. */
async function lapseCounters(lapseUrl: string): Promise<{ checks: number; cpuSeconds: number }> {
  const lines = (await (await fetch(`${lapseUrl}/metrics`)).text()).split('\n');
  const value = (match: (l: string) => boolean) => {
    const line = lines.find(match);
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
  };
  return {
    checks: value(
      (l) =>
        l.startsWith('lapse_authz_requests_total{') &&
        l.includes('convention="auth-request"') &&
        l.includes('outcome="allowed"'),
    ),
    cpuSeconds: value((l) => l.startsWith('lapse_process_cpu_seconds_total')),
  };
}

export async function runAuthzBench(argv: string[]): Promise<void> {
  const { seconds, warmup, rate, connections, profile } = parseArgs(argv, {
    seconds: 10,
    warmup: 2,
    rate: 5000,
    connections: 10,
    /** A directory: access-tracking records a CPU profile and writes it there when it stops. */
    profile: '',
  });
  ensureLoadTools();
  const tools = loadToolVersions();
  const load = { before: loadavg() };

  console.log('starting policy, access-tracking and the grant workflow…');
  const s = await startLapseStack('bench-authz', {
    services: ['access-tracking'],
    env: { LOG_LEVEL: 'warn' },
    serviceEnv: {
      'access-tracking': {
        LAPSE_AUTHZ_TRUSTED_PROXIES: '127.0.0.1/32',
        LAPSE_AUTHZ_TRUSTED_HEADER: 'X-Auth-Request-Email',
        LAPSE_USAGE_FROM_BEGINNING: 'false',
        ...(profile
          ? {
              NODE_OPTIONS: `--require ${join(__dirname, 'lib', 'cpu-profile.js')}`,
              LAPSE_CPU_PROFILE_DIR: profile,
            }
          : {}),
      },
    },
  });
  try {
    const suffix = s.suffix;
    const user = await s.admin.user('Bench', `bench-${suffix}@bench.lapse`);
    const group = await s.admin.group(`bench-${suffix}`, [user.id]);
    const resource = await s.admin.call<{ id: string }>('POST', '/v1/resources', {
      name: `bench-${suffix}`,
      address: HOST,
      policy: { autoLock: null, accessRequests: null },
    });
    await s.admin.assign(resource.id, group.id);

    const ports = { plain: await freePort(), app: await freePort() };
    const at = s.services['access-tracking']?.url as string;
    const nginx = await startNginx((port) => nginxServers(port, at, ports));
    const headers = { host: HOST, 'x-auth-request-email': user.email, accept: '*/*' };
    try {
      await waitFor(
        async () => ((await httpGet(`${nginx.url}/`, headers)).status === 200 ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 250, what: 'the grant to be ACTIVE through nginx' },
      );
      const plainUrl = `http://127.0.0.1:${ports.plain}/`;
      const authzUrl = `${nginx.url}/`;
      const lapseDirectUrl = `${at}/v1/authz/auth-request`;
      const checksBefore = (await lapseCounters(at)).checks;
      /**
       * One load after its warm-up. Through Lapse, also the checks Lapse counted during it and
       * the CPU time its process spent per check (all of its work, background included).
       */
      const run = async (
        what: string,
        url: string,
        r?: number,
        extraHeaders: Record<string, string> = {},
      ): Promise<LoadResult & { lapseChecks?: number; lapseCpuUsPerCheck?: number }> => {
        const h = { ...headers, ...extraHeaders };
        if (warmup > 0) await runLoad({ url, headers: h, connections, seconds: warmup, rate: r });
        const through = url !== plainUrl;
        const before = through ? await lapseCounters(at) : undefined;
        const res = await runLoad({ url, headers: h, connections, seconds, rate: r });
        const after = through ? await lapseCounters(at) : undefined;
        const lapse =
          before && after
            ? {
                lapseChecks: after.checks - before.checks,
                lapseCpuUsPerCheck: Math.round(
                  ((after.cpuSeconds - before.cpuSeconds) * 1e6) / (after.checks - before.checks),
                ),
              }
            : {};
        console.log(
          `${what} (${res.tool}): ${res.requestsPerSecond} req/s${res.sentPerSecond === undefined ? '' : ` (sent ${res.sentPerSecond}/s)`}, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, non-2xx ${res.non2xx}, errors ${res.errors}${lapse.lapseCpuUsPerCheck === undefined ? '' : `, Lapse CPU ${lapse.lapseCpuUsPerCheck} µs/check`}`,
        );
        return { ...res, ...lapse };
      };
      const closedPlain = await run('closed loop, nginx alone', plainUrl);
      const closedAuthz = await run('closed loop, nginx + auth_request', authzUrl);
      // The ceiling of the Lapse side alone: wrk asks access-tracking directly, as nginx would.
      const closedLapse = await run('closed loop, Lapse alone', lapseDirectUrl, undefined, {
        'x-original-url': `http://${HOST}/`,
      });
      const fixed = compare(
        rate,
        await run(`${rate} req/s, nginx alone`, plainUrl, rate),
        await run(`${rate} req/s, nginx + auth_request`, authzUrl, rate),
      );
      const held = fixed.nginxAlone.held && fixed.withAuthRequest.held;
      let sustainable: ReturnType<typeof compare> | null = null;
      if (!held) {
        const r = sustainableRate(closedAuthz.requestsPerSecond);
        console.log(
          `${rate} req/s was not sustained (nginx alone: ${fixed.nginxAlone.held ? 'held' : 'not held'}, with auth_request: ${fixed.withAuthRequest.held ? 'held' : 'not held'}); measuring both at ${r} req/s`,
        );
        sustainable = compare(
          r,
          await run(`${r} req/s, nginx alone`, plainUrl, r),
          await run(`${r} req/s, nginx + auth_request`, authzUrl, r),
        );
      }
      const lapseChecks = (await lapseCounters(at)).checks - checksBefore;

      const throughputRatio = r3(closedAuthz.requestsPerSecond / closedPlain.requestsPerSecond);
      const file = writeResults('authz', {
        bench: 'authz',
        at: new Date().toISOString(),
        machine: machineInfo(
          load.before,
          'shared 2-core machine; the load average says how much other work ran beside the bench',
        ),
        setup: {
          nginx:
            '1 worker, keepalive upstreams (64 to Lapse, 4 s idle, request body not passed); the upstream is an nginx server returning 200',
          lapse: 'access-tracking child process; identity from X-Auth-Request-Email (trusted peer)',
          client: `closed loop: ${tools.wrk}, 1 thread; fixed rate: vegeta ${tools.vegeta} (open model: each request at its scheduled time)`,
          tools,
          seconds,
          warmupSeconds: warmup,
          connections,
          heldShare: HELD_SHARE,
        },
        lapseChecks,
        closedLoop: {
          nginxAlone: closedPlain,
          withAuthRequest: closedAuthz,
          lapseAlone: closedLapse,
          throughputRatio,
        },
        fixedRate: fixed,
        rateSustained: {
          nginxAlone: fixed.nginxAlone.held,
          withAuthRequest: fixed.withAuthRequest.held,
        },
        sustainableRate: sustainable,
        goals: {
          addedP99MsAtMost: 1,
          throughputRatioAtLeast: 0.5,
          // The added p99 at a rate that one of the two setups does not sustain is queueing.
          addedP99Met: held ? fixed.addedP99Ms <= 1 : false,
          addedP99Measurable: held,
          throughputMet: throughputRatio >= 0.5,
        },
      });
      console.log(
        `throughput ratio ${throughputRatio}, added p50 ${fixed.addedP50Ms} ms, added p99 ${fixed.addedP99Ms} ms at ${rate} req/s${held ? '' : ' (not sustained)'}${sustainable ? `; at ${sustainable.rate} req/s added p50 ${sustainable.addedP50Ms} ms, p99 ${sustainable.addedP99Ms} ms` : ''} → ${file}`,
      );
    } finally {
      await nginx.stop();
    }
  } finally {
    await s.stop();
  }
}
