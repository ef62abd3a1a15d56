/** Load on `GET /v1/decisions` with autocannon (in a worker thread), and the bare-server floor. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { httpRequestDuration } from '@lapse/platform';

export interface DecisionsLoad {
  rate: number;
  seconds: number;
  connections: number;
  token: string;
  paths: { method: string; path: string }[];
}

export interface DecisionsResult {
  targetRate: number;
  seconds: number;
  connections: number;
  requestsPerSecond: number;
  total: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function measureDecisions(url: string, load: DecisionsLoad): Promise<DecisionsResult> {
  const progress = setInterval(() => process.stdout.write('.'), 1000);
  try {
    const r = await autocannon({
      url,
      connections: load.connections,
      duration: load.seconds,
      overallRate: load.rate,
      workers: 1,
      headers: { authorization: `Bearer ${load.token}` },
      requests: load.paths,
    });
    return {
      targetRate: load.rate,
      seconds: load.seconds,
      connections: load.connections,
      requestsPerSecond: Math.round(r.requests.average),
      total: r.requests.total,
      p50Ms: r.latency.p50,
      p90Ms: r.latency.p90,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    };
  } finally {
    clearInterval(progress);
    process.stdout.write('\n');
  }
}

/** Runs `fn` against a bare node:http server that answers every request with a fixed decision. */
export async function withBareServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const body = JSON.stringify({ allowed: true, state: 'ACTIVE', reason: 'grant is active' });
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Cumulative counts of the service's own `/v1/decisions` timings (le bucket in ms → count). */
export async function serverSideBuckets(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const v of (await httpRequestDuration().get()).values) {
    if (
      v.metricName?.endsWith('_bucket') &&
      v.labels.route === '/v1/decisions' &&
      v.labels.status === '200'
    ) {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le) * 1000;
      out.set(le, (out.get(le) ?? 0) + v.value);
    }
  }
  return out;
}

/** Share of the requests between two snapshots answered (server side) within each bucket bound. */
export function withinShares(
  before: Map<number, number>,
  after: Map<number, number>,
): Record<string, number> {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const out: Record<string, number> = {};
  for (const [le, count] of after) {
    if (le === Infinity || le > 10) continue;
    out[String(le)] =
      total > 0 ? Math.round(((count - (before.get(le) ?? 0)) / total) * 10_000) / 10_000 : 0;
  }
  return out;
}
