/**
 * `npm run bench -- fanout`: a big group assigned to a resource, on the Temporal server proper
 * (the bench stack). `--members` users (seeded in policy's database) in one group; the admin
 * assigns the group to a resource, and the clock runs until decisions answer ACTIVE for every
 * member: policy's grant sync starts one grant workflow per member (signalWithStart), the grant
 * worker runs each one's first tasks and publishes ACTIVE to grants.state.v1, and
 * access-tracking's projection answers decisions. Same-run baseline: bare `signalWithStart` of as
 * many trivial workflows (nobody runs them) on the same server with the same number in flight
 * as the sync (`--concurrency`, policy's LAPSE_GRANT_SYNC_CONCURRENCY), measured after the
 * fan-out (its unrun workflows load the server for minutes). `--window` is policy's pacing of the
 * sync (LAPSE_GRANT_SYNC_WINDOW; 0: unpaced). Reports grants/s, the baseline's
 * starts/s, their ratio (goal ≥ 0.7), the ACTIVE curve and each process's CPU and memory.
 * The bench's own decisions sweep reads at most `--sweepWindow` not-yet-ACTIVE grants per pass
 * (was 200: ~9 ms of CPU per grant in the bench and access-tracking, taken from the fan-out).
 */
import { Client } from '@temporalio/client';
import { signProxyToken } from '@lapse/auth';
import { startLapseStack } from '@lapse/testing/lapse-stack';
import { stackTemporalSettings } from '@lapse/testing';
import { connectTemporal } from '@lapse/temporal';
import { round } from './lib/args';
import { benchProcesses, benchStackPid, benchStackSetup, saveStackLogs } from './lib/bench-stack';
import { benchRun } from './lib/bench-run';
import { profileEnv } from './lib/cpu-profile-env';
import { awaitDecisions, latencySummary } from './lib/lapse-watch';
import { sampleProcesses } from './lib/proc-usage';
import { seedGroupMembers } from './lib/seed';

/** The grant worker's tuning variables (apps/grant-worker/src/config.ts). */
const GRANT_WORKER_TUNING = [
  'LAPSE_GRANT_WORKER_CONCURRENCY',
  'LAPSE_GRANT_WORKER_WORKFLOW_TASKS',
  'LAPSE_GRANT_WORKER_STICKY_TIMEOUT_SECONDS',
  'LAPSE_GRANT_WORKER_WORKFLOW_POLLERS',
  'LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE',
  'LAPSE_GRANT_WORKER_CACHED_WORKFLOWS',
  'LAPSE_GRANT_WORKER_WORKFLOW_THREADS',
];

/** The grant worker's tuning this run was given in the bench's environment (unset: defaults). */
function grantWorkerSettings(): Record<string, string> {
  return Object.fromEntries(
    GRANT_WORKER_TUNING.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/** Starts `n` trivial workflows with signalWithStart, `inFlight` at a time; starts per second. */
async function bareSignalWithStart(
  client: Client,
  runId: string,
  n: number,
  inFlight: number,
): Promise<{ n: number; seconds: number; perSecond: number }> {
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      await client.workflow.signalWithStart('benchTrivial', {
        workflowId: `bench-fanout-${runId}-${i}`,
        taskQueue: `bench-fanout-${runId}-nobody`,
        args: [{ i }],
        signal: 'benchPoke',
        signalArgs: [{ i }],
        // Nobody runs them: the server closes them itself.
        workflowExecutionTimeout: '2 minutes',
      });
      if (i % 500 === 0) process.stdout.write(`\r  baseline: ${i}/${n} started`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`\r  baseline: ${n}/${n} started\n`);
  return { n, seconds: round(seconds), perSecond: round(n / seconds) };
}

export async function runFanoutBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('fanout', argv, {
    members: 10_000,
    concurrency: 16,
    pageSize: 500,
    /** policy's LAPSE_GRANT_SYNC_WINDOW (its default; 0: the sync unpaced). */
    window: 64,
    pollMs: 250,
    /** Not-yet-ACTIVE grants one pass of the decisions sweep reads before it waits `--pollMs`. */
    sweepWindow: 50,
    timeoutSeconds: 1800,
    profile: '',
  });
  const runId = `f${Date.now().toString(36)}`;
  const connection = await connectTemporal(stackTemporalSettings(), 1);
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });

  log('starting policy, access-tracking and the grant worker (processes)…');
  const s = await startLapseStack('bench-fanout', {
    services: ['access-tracking'],
    grantWorker: 'process',
    env: { LOG_LEVEL: 'warn', ...profileEnv(opts.profile) },
    serviceEnv: {
      policy: {
        // The grant sync logs each job's start, progress and end (where the time goes).
        LOG_LEVEL: 'info',
        LAPSE_GRANT_SYNC_CONCURRENCY: String(opts.concurrency),
        LAPSE_GRANT_SYNC_PAGE_SIZE: String(opts.pageSize),
        LAPSE_GRANT_SYNC_WINDOW: String(opts.window),
      },
    },
  });
  try {
    const group = await s.admin.group(`fanout-${runId}`, []);
    const resource = await s.admin.resource(`Fanout ${runId}`, {
      autoLock: { durationSeconds: 86_400, approval: 'MANUAL' },
      accessRequests: null,
    });
    log(`seeding ${opts.members} members of one group…`);
    const users = await seedGroupMembers(s.env.DATABASE_URL, {
      runId,
      prefix: 'fanout',
      count: opts.members,
      groupId: group.id,
    });
    const pairs = users
      .map((u) => ({ userId: u.id, resourceId: resource.id }))
      .sort((a, b) => (a.userId < b.userId ? -1 : 1));

    // Every process on the 2 cores, the bench's own (its decisions sweep) included: where each
    // grant's CPU goes.
    const processes = sampleProcesses({
      ...benchProcesses(s, [
        'policy',
        'access-tracking',
        'grant-worker',
        'temporal-server',
        'postgres',
      ]),
      kafka: { pid: benchStackPid('kafka') },
      bench: { pid: process.pid },
    });
    const proxyToken = await signProxyToken(s.serviceSecret, 'bench-fanout');
    log(
      `assigning the group to the resource; waiting for ${opts.members} grants ACTIVE in decisions`,
    );
    const t0 = performance.now();
    await s.admin.assign(resource.id, group.id);
    let lastLogged = 0;
    const activeAt = await awaitDecisions(pairs, t0, {
      decisionsUrl: `${s.services['access-tracking']?.url}/v1/decisions`,
      token: proxyToken,
      state: 'ACTIVE',
      pollMs: opts.pollMs,
      window: opts.sweepWindow,
      concurrency: 4,
      timeoutMs: opts.timeoutSeconds * 1000,
      progress: (reached, total) => {
        const now = performance.now();
        if (now - lastLogged < 1000 && reached < total) return;
        lastLogged = now;
        process.stdout.write(
          `\r  ${reached}/${total} ACTIVE after ${round((now - t0) / 1000, 1)} s   `,
        );
      },
    });
    process.stdout.write('\n');
    const usage = processes.stop();
    // The baseline runs after Lapse's fan-out: its workflows have no worker and the server keeps
    // their tasks, then times every one of them out 2 minutes later — work that, measured
    // first, fell inside Lapse's run (10,000 timeouts while the grants started).
    log(
      `baseline: bare signalWithStart of ${opts.members} trivial workflows, ${opts.concurrency} in flight`,
    );
    const baseline = await bareSignalWithStart(client, runId, opts.members, opts.concurrency);
    log(`baseline: ${baseline.perSecond} starts/s`);
    const seconds = Math.max(...activeAt) / 1000;
    const perSecond = round(opts.members / seconds);
    const sorted = [...activeAt].sort((a, b) => a - b);
    const curve = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1].map((f) => ({
      fraction: f,
      seconds: round(sorted[Math.max(0, Math.ceil(f * sorted.length) - 1)] / 1000),
    }));
    const ratio = round(perSecond / baseline.perSecond);
    const file = write({
      setup: { ...benchStackSetup(s), ...opts, grantWorkerEnv: grantWorkerSettings() },
      baseline: { what: 'bare signalWithStart of trivial workflows, same server', ...baseline },
      lapse: {
        what: 'assign → every grant ACTIVE in decisions',
        grants: opts.members,
        seconds: round(seconds),
        perSecond,
        activeAfter: curve,
        activeAtMs: latencySummary(activeAt),
      },
      ratio,
      processes: usage,
      goals: { ratioAtLeast: 0.7, ratioMet: ratio >= 0.7 },
    });
    log(
      `${opts.members} grants ACTIVE in ${round(seconds)} s = ${perSecond}/s; baseline ${baseline.perSecond}/s; ratio ${ratio} → ${file}`,
    );
    await connection.close();
  } finally {
    await s.stop();
    log(`service logs: ${saveStackLogs('fanout', s)}`);
  }
}
