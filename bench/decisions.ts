/**
 * `npm run bench -- decisions`: access-tracking's `GET /v1/decisions` and the memory of the
 * projection behind it.
 *
 *  1. load (bench stack): access-tracking as a child process, `--grants` ACTIVE grants published to
 *     grants.state.v1 (as the grant workflows would) and projected; against it and, in the same
 *     run, against a bare node:http server answering a fixed decision (the floor): the closed-loop
 *     maximum rate (wrk, `--connections`) and the latency at `--rate` req/s (vegeta, fixed rate),
 *     each query for a random grant of the seeded ones. Goal: p99 ≤ 1.5 × the floor's p99.
 *  2. memory (this process): bytes per grant of the projection at each of `--memoryGrants`
 *     (heap + typed-array stores after a full GC). Goal: ≤ 200 B/grant.
 */
import { Partitioners } from 'kafkajs';
import { signProxyToken } from '@lapse/auth';
import { startLapseStack } from '@lapse/testing/lapse-stack';
import { kafkaAs, waitFor } from '@lapse/testing';
import { round } from './lib/args';
import { benchProcesses, benchStackSetup } from './lib/bench-stack';
import { benchRun } from './lib/bench-run';
import { withBareServer } from './lib/decisions-load';
import {
  ensureLoadTools,
  heldRate,
  loadToolVersions,
  runLoad,
  type LoadResult,
} from './lib/http-load';
import { measureProjectionMemory } from './lib/projection-memory';
import { sampleProcesses } from './lib/proc-usage';
import { grantsFor, publishActiveGrants } from './lib/usage-load';

/** Projection size from access-tracking's /metrics. */
async function projectionSize(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^lapse_grant_projection_size\{[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

export async function runDecisionsBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('decisions', argv, {
    grants: 100_000,
    rate: 5000,
    seconds: 20,
    warmup: 3,
    connections: 10,
    memoryGrants: '100000,1000000',
    skipLoad: false,
  });
  let load: Record<string, unknown> | null = null;
  let stackSetup: ReturnType<typeof benchStackSetup> | undefined;
  if (!opts.skipLoad) {
    ensureLoadTools();
    const tools = loadToolVersions();
    log('starting access-tracking (and policy, the grant worker)…');
    const s = await startLapseStack('bench-decisions', {
      services: ['access-tracking'],
      env: { LOG_LEVEL: 'warn' },
    });
    stackSetup = benchStackSetup(s);
    try {
      const at = s.services['access-tracking']?.url as string;
      const runId = `d${Date.now().toString(36)}`;
      const grants = grantsFor(runId, opts.grants / 10, 10);
      const before = await projectionSize(at);
      log(`publishing ${grants.length} ACTIVE grants to grants.state.v1…`);
      const producer = kafkaAs('grant-worker', `lapse-bench-${runId}`).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      await publishActiveGrants(producer, grants, { lastAccessAt: null, version: 1 });
      await producer.disconnect();
      await waitFor(
        async () => {
          const n = (await projectionSize(at)) - before;
          process.stdout.write(`\r  ${n}/${grants.length} projected   `);
          return n >= grants.length ? true : undefined;
        },
        { timeoutMs: 600_000, intervalMs: 500, what: 'the grants in the projection' },
      );
      process.stdout.write('\n');
      const token = await signProxyToken(s.serviceSecret, 'bench-decisions');
      // Each request asks about a random grant of the seeded ones (wrk and vegeta pick one each time).
      const queries = Array.from({ length: 10_000 }, () => {
        const g = grants[Math.floor(Math.random() * grants.length)];
        return `/v1/decisions?userId=${g.userId}&resourceId=${g.resourceId}`;
      });
      const headers = { authorization: `Bearer ${token}` };
      const processes = sampleProcesses(benchProcesses(s, ['access-tracking']));
      const run = async (what: string, base: string, rate?: number): Promise<LoadResult> => {
        const spec = {
          url: `${base}${queries[0]}`,
          headers,
          connections: opts.connections,
          variants: queries.map((path) => ({ headers: {}, path })),
          rate,
        };
        if (opts.warmup > 0) await runLoad({ ...spec, seconds: opts.warmup });
        const r = await runLoad({ ...spec, seconds: opts.seconds });
        log(
          `${what} (${r.tool}): ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
        );
        return r;
      };
      const floor = await withBareServer(async (url) => ({
        closedLoop: await run('closed loop, bare node:http', url),
        fixedRate: await run(`${opts.rate} req/s, bare node:http`, url, opts.rate),
      }));
      const lapse = {
        closedLoop: await run('closed loop, Lapse', at),
        fixedRate: await run(`${opts.rate} req/s, Lapse`, at, opts.rate),
      };
      const p99Ratio = round(lapse.fixedRate.p99Ms / floor.fixedRate.p99Ms);
      // A p99 at a rate that one of the two did not sustain is queueing, not the decision's cost.
      const held = heldRate(floor.fixedRate) && heldRate(lapse.fixedRate);
      if (!held)
        log(`${opts.rate} req/s was not sustained: the p99 ratio does not measure the goal`);
      load = {
        grants: grants.length,
        tools,
        floor,
        lapse,
        maxRateRatio: round(
          lapse.closedLoop.requestsPerSecond / floor.closedLoop.requestsPerSecond,
        ),
        p99Ratio,
        processes: processes.stop(),
        rateSustained: {
          floor: heldRate(floor.fixedRate),
          lapse: heldRate(lapse.fixedRate),
        },
        goals: { p99RatioAtMost: 1.5, p99Met: held && p99Ratio <= 1.5, p99Measurable: held },
      };
    } finally {
      await s.stop();
    }
  }
  const memory = String(opts.memoryGrants)
    .split(',')
    .filter(Boolean)
    .map((n) => {
      log(`projection memory with ${n} grants…`);
      const m = measureProjectionMemory(Number(n));
      log(
        `${m.grants} grants: ${m.bytesPerGrant} B/grant; lock-due sweep scan ${m.lockDueScanMs} ms`,
      );
      return { ...m, goalMet: m.bytesPerGrant <= 200 };
    });
  const file = write({
    setup: { ...opts, ...stackSetup },
    load,
    projectionMemory: { goalBytesPerGrantAtMost: 200, runs: memory },
  });
  log(`→ ${file}`);
}
