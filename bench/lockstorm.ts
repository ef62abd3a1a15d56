/**
 * `npm run bench -- lockstorm`: `--grants` auto-lock grants whose deadline falls in the same
 * second, on the Temporal server proper (the bench stack), and how late each one locks.
 *
 *  1. starts the grants through the grant client, all with the same creation time C and a long
 *     auto-lock period, and waits until decisions answer ACTIVE for all of them;
 *  2. picks a deadline T far enough ahead to reach every grant before it (`--leadSeconds`, or
 *     twice the time step 1 took), and sends every grant a policy whose auto-lock period is
 *     T − C: each grant's deadline (last access, here its creation, + period) is now T;
 *  3. at T every workflow's timer fires together: it asks access-tracking for the latest access
 *     (none), locks, publishes LOCKED; the clock runs until decisions answer LOCKED for each.
 *
 * Lateness per grant: `lockedAt − T` (the workflow's own lock time, from the decision) and
 * seen-LOCKED-in-decisions − T (an upper bound: one sweep of the decisions late at most).
 * Goal: p99 of the latter ≤ 2 s.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { signProxyToken } from '@lapse/auth';
import type { EffectivePolicy, GrantRef } from '@lapse/contracts';
import { startLapseStack } from '@lapse/testing/lapse-stack';
import { parseArgs, round } from './lib/args';
import { benchStackEnv } from './lib/bench-stack';
import { profileEnv } from './lib/cpu-profile-env';
import {
  awaitDecisions,
  latencySummary,
  sampleRss,
  saveServiceLogs,
  stackPid,
} from './lib/lapse-watch';
import { machineInfo, writeResults } from './lib/results';

const log = (msg: string) =>
  console.log(`[bench lockstorm ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const autoLockPolicy = (durationSeconds: number): EffectivePolicy => ({
  autoLock: { durationSeconds, approval: 'MANUAL' },
  accessRequests: null,
  expiresAt: null,
  sourceGroupIds: [],
});

/** Runs `each` over `items`, `inFlight` at a time, printing `what` progress. */
async function inLanes<T>(
  items: T[],
  inFlight: number,
  what: string,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length) {
      await each(items[next++]);
      if (++done % 250 === 0 || done === items.length)
        process.stdout.write(`\r  ${done}/${items.length} ${what}   `);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  process.stdout.write('\n');
}

export async function runLockstormBench(argv: string[]): Promise<void> {
  const opts = parseArgs(argv, {
    grants: 10_000,
    resources: 10,
    concurrency: 16,
    leadSeconds: 0,
    pollMs: 100,
    timeoutSeconds: 1800,
    profile: '',
  });
  const loadBefore = loadavg();
  log('starting policy, access-tracking and the grant worker (processes)…');
  const s = await startLapseStack('bench-lockstorm', {
    services: ['access-tracking'],
    grantWorker: 'process',
    env: { LOG_LEVEL: 'warn', ...profileEnv(opts.profile) },
    // The grants are started by the bench, not from policy's assignments: nothing to reconcile.
    serviceEnv: { policy: { LAPSE_RECONCILE_ENABLED: 'false' } },
  });
  try {
    const resources = Array.from({ length: opts.resources }, () => randomUUID());
    const grants: GrantRef[] = Array.from({ length: opts.grants }, (_, i) => ({
      userId: randomUUID(),
      resourceId: resources[i % resources.length],
    })).sort((a, b) => (a.userId < b.userId ? -1 : 1));
    const proxyToken = await signProxyToken(s.serviceSecret, 'bench-lockstorm');
    const sweep = {
      decisionsUrl: `${s.services['access-tracking']?.url}/v1/decisions`,
      token: proxyToken,
      pollMs: opts.pollMs,
      window: 200,
      concurrency: 8,
      timeoutMs: opts.timeoutSeconds * 1000,
    };
    const rss = sampleRss({
      'access-tracking': s.services['access-tracking']?.process.pid,
      'grant-worker': s.grantWorkerProcess?.process.pid,
      'temporal-server': stackPid(benchStackEnv.LAPSE_RUN_DIR, 'temporal'),
    });

    const created = new Date();
    const createdAt = created.toISOString();
    log(`starting ${opts.grants} grants (created ${createdAt}, auto-lock after a day)`);
    const t0 = performance.now();
    await inLanes(grants, opts.concurrency, 'started', (g) =>
      s.grants.start(g, { policy: autoLockPolicy(86_400), createdAt }),
    );
    await awaitDecisions(grants, t0, {
      ...sweep,
      state: 'ACTIVE',
      progress: (n, total) => process.stdout.write(`\r  ${n}/${total} ACTIVE in decisions   `),
    });
    process.stdout.write('\n');
    const setupSeconds = (performance.now() - t0) / 1000;
    log(`${opts.grants} grants ACTIVE after ${round(setupSeconds)} s`);

    // Every deadline on one whole second, far enough ahead to reach every grant first.
    const lead = opts.leadSeconds || Math.max(20, Math.ceil(2 * setupSeconds));
    const period = Math.ceil((Date.now() - created.getTime()) / 1000) + lead;
    const deadline = created.getTime() + period * 1000;
    log(
      `moving every deadline to ${new Date(deadline).toISOString()} (auto-lock period ${period} s)`,
    );
    await inLanes(grants, opts.concurrency, 'given the new period', (g) =>
      s.grants.apply(g, autoLockPolicy(period)),
    );
    const spare = (deadline - Date.now()) / 1000;
    if (spare < 1)
      throw new Error(
        `the new period reached every grant only ${round(-spare)} s after the deadline: run again with a larger --leadSeconds`,
      );
    log(`every grant has it, ${round(spare)} s before the deadline; waiting for the storm…`);
    const deadlinePerf = performance.now() + (deadline - Date.now());
    // No load before the storm: the sweep starts half a second before the deadline.
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() - 500)));
    const lockedAtMs: number[] = [];
    const seen = await awaitDecisions(grants, deadlinePerf, {
      ...sweep,
      // Decisions refuse the grant only once it locked: they answer LOCKED from then on.
      state: 'LOCKED',
      progress: (n, total) =>
        process.stdout.write(
          `\r  ${n}/${total} LOCKED, ${round((performance.now() - deadlinePerf) / 1000, 1)} s after the deadline   `,
        ),
    });
    process.stdout.write('\n');
    const memory = rss.stop();
    // The workflow's own lock time for each grant (from the decision), against the deadline.
    await inLanes(grants, 8, 'lock times read', async (g) => {
      const res = await fetch(
        `${sweep.decisionsUrl}?userId=${g.userId}&resourceId=${g.resourceId}`,
        { headers: { authorization: `Bearer ${proxyToken}` } },
      );
      const d = (await res.json()) as { lockedAt?: string };
      if (d.lockedAt) lockedAtMs.push(Date.parse(d.lockedAt) - deadline);
    });
    const inDecisions = latencySummary(seen);
    const inWorkflow = latencySummary(lockedAtMs);
    const file = writeResults('lockstorm', {
      bench: 'lockstorm',
      at: new Date().toISOString(),
      machine: machineInfo(loadBefore),
      setup: {
        temporal: `server mode (Temporal server on Postgres), ${benchStackEnv.LAPSE_TEMPORAL_SHARDS} history shards`,
        lapse: 'access-tracking and the grant worker as child processes (bench stack)',
        ...opts,
        leadSeconds: lead,
        setupSeconds: round(setupSeconds),
      },
      deadline: new Date(deadline).toISOString(),
      latenessInDecisions: {
        what: 'deadline → LOCKED seen in decisions (upper bound, ≤ one sweep late)',
        ...inDecisions,
      },
      latenessInWorkflow: { what: 'deadline → the workflow’s lockedAt', ...inWorkflow },
      rssMiB: memory,
      goals: { p99MsAtMost: 2000, p99Met: inDecisions.p99Ms <= 2000 },
    });
    log(
      `lock lateness in decisions p50 ${inDecisions.p50Ms} ms p99 ${inDecisions.p99Ms} ms max ${inDecisions.maxMs} ms; in the workflow p99 ${inWorkflow.p99Ms} ms → ${file}`,
    );
  } finally {
    await s.stop();
    const logs = saveServiceLogs(benchStackEnv.LAPSE_RUN_DIR, 'lockstorm', {
      policy: s.policy,
      ...s.services,
      'grant-worker': s.grantWorkerProcess,
    });
    log(`service logs: ${logs}/bench-lockstorm-*.log`);
  }
}
