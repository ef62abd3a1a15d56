/**
 * HTTP load with microsecond latencies (autocannon records whole milliseconds, too coarse to see
 * a sub-millisecond cost). Runs in a child process so the bench process's own work (the grant
 * worker, timers) does not disturb the client:
 *  - closed loop: `connections` loops, each sending its next request when the last answered;
 *  - fixed rate: requests scheduled every 1/rate s whatever the answers, each latency measured
 *    from its scheduled time (so a stall counts for every request it delays).
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests per second (fixed rate); absent: closed loop. */
  rate?: number;
}

export interface LoadResult {
  mode: 'closed-loop' | 'fixed-rate';
  targetRate: number | null;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const root = join(__dirname, '..', '..');

/** Runs one load in a child process and returns its figures. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'http-load.ts'), JSON.stringify(spec)],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load child exited with ${code}`));
      resolve(JSON.parse(out) as LoadResult);
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function main(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const send = (scheduledNs: bigint) =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: 'GET',
          headers: spec.headers,
          agent,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - scheduledNs) / 1e6);
            if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299)
              non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });

  const started = process.hrtime.bigint();
  const end = started + BigInt(spec.seconds) * 1_000_000_000n;
  if (spec.rate === undefined) {
    await Promise.all(
      Array.from({ length: spec.connections }, async () => {
        while (process.hrtime.bigint() < end) await send(process.hrtime.bigint());
      }),
    );
  } else {
    const intervalNs = BigInt(Math.round(1e9 / spec.rate));
    const inFlight = new Set<Promise<void>>();
    let next = started;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = process.hrtime.bigint();
        while (next <= now && next < end) {
          const p = send(next);
          inFlight.add(p);
          void p.then(() => inFlight.delete(p));
          next += intervalNs;
        }
        if (next >= end) return done();
        setTimeout(tick, 0);
      };
      tick();
    });
    await Promise.all(inFlight);
  }
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    mode: spec.rate === undefined ? 'closed-loop' : 'fixed-rate',
    targetRate: spec.rate ?? null,
    connections: spec.connections,
    seconds: spec.seconds,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / elapsedS),
    non2xx,
    errors,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

if (require.main === module) {
  main(JSON.parse(process.argv[2] ?? '{}') as LoadSpec)
    .then((r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    });
}
