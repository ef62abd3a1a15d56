/**
 * `npm run bench -- authz`: what forward-auth costs at the proxy. The same nginx serves the same
 * small upstream on two ports, one with `auth_request` to Lapse (access-tracking, policy and the
 * real grant workflow, a user with an ACTIVE grant named by the trusted header) and one without,
 * in one run: closed loop (throughput) and at a fixed 5,000 req/s (added p50 / p99).
 */
import { cpus, loadavg } from 'node:os';
import { startLapseStack } from '@lapse/grant-runtime/testing';
import { eventually, freePort, httpGet, startNginx } from '@lapse/testing';
import { parseArgs } from './lib/args';
import { runLoad, type LoadResult } from './lib/http-load';
import { writeResults } from './lib/results';

const HOST = 'app.bench.lapse.test';

function nginxServers(port: number, authzUrl: string, ports: { plain: number; app: number }) {
  return `
  upstream lapse_authz { server ${authzUrl.replace('http://', '')}; keepalive 64; }
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

export async function runAuthzBench(argv: string[]): Promise<void> {
  const { seconds, rate, connections } = parseArgs(argv, {
    seconds: 15,
    rate: 5000,
    connections: 10,
  });
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
      await eventually(
        async () => ((await httpGet(`${nginx.url}/`, headers)).status === 200 ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 250, what: 'the grant to be ACTIVE through nginx' },
      );
      const plainUrl = `http://127.0.0.1:${ports.plain}/`;
      const authzUrl = `${nginx.url}/`;
      const run = async (what: string, url: string, r?: number): Promise<LoadResult> => {
        await runLoad({ url, headers, connections, seconds: 2, rate: r }); // warm-up
        const res = await runLoad({ url, headers, connections, seconds, rate: r });
        console.log(
          `${what}: ${res.requestsPerSecond} req/s, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, non-2xx ${res.non2xx}, errors ${res.errors}`,
        );
        return res;
      };
      const closedPlain = await run('closed loop, nginx alone', plainUrl);
      const closedAuthz = await run('closed loop, nginx + auth_request', authzUrl);
      const fixedPlain = await run(`${rate} req/s, nginx alone`, plainUrl, rate);
      const fixedAuthz = await run(`${rate} req/s, nginx + auth_request`, authzUrl, rate);

      const throughputRatio =
        Math.round((closedAuthz.requestsPerSecond / closedPlain.requestsPerSecond) * 1000) / 1000;
      const addedP50Ms = Math.round((fixedAuthz.p50Ms - fixedPlain.p50Ms) * 1000) / 1000;
      const addedP99Ms = Math.round((fixedAuthz.p99Ms - fixedPlain.p99Ms) * 1000) / 1000;
      const file = writeResults('authz', {
        bench: 'authz',
        at: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          loadavgBefore: load.before,
          loadavgAfter: loadavg(),
          note: 'shared 2-core machine; other engineers ran builds and tests at the same time',
        },
        setup: {
          nginx: '1 worker, keepalive upstreams; the upstream is an nginx server returning 200',
          lapse: 'access-tracking child process; identity from X-Auth-Request-Email (trusted peer)',
          client: 'node http client in its own process, microsecond latencies',
          seconds,
          connections,
        },
        closedLoop: { nginxAlone: closedPlain, withAuthRequest: closedAuthz, throughputRatio },
        fixedRate: {
          rate,
          nginxAlone: fixedPlain,
          withAuthRequest: fixedAuthz,
          addedP50Ms,
          addedP99Ms,
        },
        goals: {
          addedP99MsAtMost: 1,
          throughputRatioAtLeast: 0.5,
          addedP99Met: addedP99Ms <= 1,
          throughputMet: throughputRatio >= 0.5,
        },
      });
      console.log(
        `throughput ratio ${throughputRatio}, added p50 ${addedP50Ms} ms, added p99 ${addedP99Ms} ms → ${file}`,
      );
    } finally {
      await nginx.stop();
    }
  } finally {
    await s.stop();
  }
}
