/**
 * `npm run bench -- lockstorm`: `--grants` auto-lock grants whose deadline falls in the same
 * second, on the Temporal server proper (the bench stack), and how late each one locks.
 *
 *  1. starts the grants through the grant client, all with the same creation time C and a long
 *     auto-lock period, and waits until decisions answer ACTIVE for all of them;
 *  2. picks a deadline T far enough ahead to reach every grant before it (`--leadSeconds`, or
 *     twice the time step 1 took), and sends every grant a policy whose auto-lock period is
 *     T − C: each grant's deadline (last access, here its creation, + period) is now T. It
 *     waits until every grant has *published* T (its grants.state.v1 record's `autoLockAt`) and
 *     access-tracking has read those records — a grant that only received the period still
 *     has its old deadline — and reports how fast the grant worker applied the period changes.
 *     If the rate seen says the lead is too short, it stops there (the result says so and names
 *     the lead that would do) rather than measure a storm of part of the grants;
 *  3. at T access-tracking's lock-due sweep finds every deadline passed with no recorded use
 *     and decisions answer LOCKED (enforcement); meanwhile every workflow's timer fires: it asks
 *     access-tracking for the latest access (none), locks, publishes LOCKED, which replaces the
 *     sweep's answer in decisions.
 *
 * Lateness per grant, against T: enforcement — LOCKED first seen in decisions (an upper bound:
 * one sweep of the decisions late at most), the goal's figure (p99 ≤ 2 s); the workflow's own
 * `lockedAt`, and when its LOCKED record was seen in decisions. Meanwhile a steady probe asks
 * decisions about `--probeGrants` grants outside the storm (a day-long period): their latency
 * before the storm and while the sweep and the workflows lock the others.
 */
import { randomUUID } from 'node:crypto';
import { signProxyToken } from '@lapse/auth';
import {
  TOPICS,
  grantStateEventSchema,
  type EffectivePolicy,
  type GrantRef,
  type GrantStateEvent,
} from '@lapse/contracts';
import { kafkaAs, readTopic, waitFor } from '@lapse/testing';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';
import { LOCK_DUE_REASON } from '../apps/access-tracking/src';
import { recentRate, round } from './lib/args';
import { benchProcesses, benchStackSetup, saveStackLogs } from './lib/bench-stack';
import { benchRun } from './lib/bench-run';
import { profileEnv } from './lib/cpu-profile-env';
import { DeadlineTally, leadVerdict } from './lib/deadline-tally';
import { awaitDecisions, latencySummary, probeDecisions, probeSummary } from './lib/lapse-watch';
import { inLanes } from './lib/lanes';
import { sampleProcesses } from './lib/proc-usage';

const autoLockPolicy = (durationSeconds: number): EffectivePolicy => ({
  autoLock: { durationSeconds, approval: 'MANUAL' },
  accessRequests: null,
  expiresAt: null,
  sourceGroupIds: [],
});

/**
 * `lapse_lock_due_lateness_seconds` from a Prometheus text page (any labels): how many grants
 * the sweep marked, their mean lateness, the count within each bucket bound and the bound the
 * 50th and 99th percentiles fall within.
 */
function lockDueLateness(
  metrics: string,
  before?: { marked: number; sum: number; withinSeconds: Record<string, number> },
): {
  sum: number;
  marked: number;
  meanMs: number;
  withinSeconds: Record<string, number>;
  p50AtMostSeconds: number;
  p99AtMostSeconds: number;
} {
  const series = (suffix: string) =>
    new RegExp(`^lapse_lock_due_lateness_seconds_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'm');
  const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? NaN);
  const marked = value(series('count')) - (before?.marked ?? 0);
  const sum = value(series('sum')) - (before?.sum ?? 0);
  const withinSeconds: Record<string, number> = {};
  for (const m of metrics.matchAll(
    /^lapse_lock_due_lateness_seconds_bucket\{(?:[^}]*,)?le="([^"]+)"[^}]*\} (\S+)$/gm,
  ))
    withinSeconds[m[1]] = Number(m[2]) - (before?.withinSeconds[m[1]] ?? 0);
  // In bound order (an object lists integer-like keys such as "1" first).
  const bounds = Object.entries(withinSeconds)
    .map(([le, n]) => ({ le: le === '+Inf' ? Infinity : Number(le), n }))
    .sort((a, b) => a.le - b.le);
  const bound = (q: number) => bounds.find((b) => b.n >= q * marked)?.le ?? NaN;
  return {
    marked,
    sum,
    meanMs: round((sum / marked) * 1000),
    withinSeconds,
    p50AtMostSeconds: bound(0.5),
    p99AtMostSeconds: bound(0.99),
  };
}

/** Left before the deadline once every grant has published it, for access-tracking to read it. */
const MARGIN_MS = 2000;

/**
 * Reads grants.state.v1 from now on, tallying which of `grants` have published `deadlineMs`;
 * `update()` feeds what arrived since the last call.
 */
async function watchPublishedDeadlines(grants: GrantRef[], deadlineMs: number) {
  const tally = new DeadlineTally(grants, deadlineMs);
  const reader = await readTopic<GrantStateEvent>(TOPICS.grantState, (value) => {
    const r = grantStateEventSchema.safeParse(value);
    return r.success ? r.data : undefined;
  });
  let read = 0;
  return {
    tally,
    update: () => {
      for (; read < reader.records.length; read++) tally.add(reader.records[read].value);
      return tally.published;
    },
    stop: () => reader.stop(),
  };
}

/**
 * Waits until access-tracking's grant-state consumer has committed everything grants.state.v1
 * holds now (it commits what its projection has applied), or `timeoutMs`.
 */
async function awaitAccessTrackingRead(s: LapseStack, timeoutMs: number): Promise<void> {
  const admin = kafkaAs('ops', `lapse-bench-lockstorm-${s.suffix}`).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(TOPICS.grantState);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: `at-grant-state-${s.suffix}`,
          topics: [TOPICS.grantState],
        });
        const at = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
        return ends.every((e) => (at.get(e.partition) ?? -1) >= Number(e.high)) || undefined;
      },
      {
        timeoutMs: Math.max(0, timeoutMs),
        intervalMs: 100,
        what: 'access-tracking to read every published deadline',
      },
    );
  } finally {
    await admin.disconnect();
  }
}

export async function runLockstormBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('lockstorm', argv, {
    grants: 10_000,
    resources: 10,
    concurrency: 16,
    leadSeconds: 0,
    pollMs: 100,
    sample: 500,
    probeGrants: 20,
    probeMs: 50,
    timeoutSeconds: 1800,
    profile: '',
  });
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
    const grantRef = (i: number): GrantRef => ({
      userId: randomUUID(),
      resourceId: resources[i % resources.length],
    });
    const byUser = (a: GrantRef, b: GrantRef) => (a.userId < b.userId ? -1 : 1);
    const grants = Array.from({ length: opts.grants }, (_, i) => grantRef(i)).sort(byUser);
    // Grants outside the storm (their period stays a day): what decisions answer meanwhile.
    const probed = Array.from({ length: opts.probeGrants }, (_, i) => grantRef(i)).sort(byUser);
    const proxyToken = await signProxyToken(s.serviceSecret, 'bench-lockstorm');
    const sweep = {
      decisionsUrl: `${s.services['access-tracking']?.url}/v1/decisions`,
      token: proxyToken,
      pollMs: opts.pollMs,
      window: 200,
      concurrency: 8,
      timeoutMs: opts.timeoutSeconds * 1000,
    };
    const processes = sampleProcesses(
      benchProcesses(s, ['access-tracking', 'grant-worker', 'temporal-server']),
    );

    const created = new Date();
    const createdAt = created.toISOString();
    log(
      `starting ${opts.grants} grants and ${probed.length} outside the storm (created ${createdAt}, auto-lock after a day)`,
    );
    const t0 = performance.now();
    await inLanes(
      [...grants, ...probed],
      opts.concurrency,
      (g) => s.grants.start(g, { policy: autoLockPolicy(86_400), createdAt }),
      'started',
    );
    await awaitDecisions([...grants, ...probed], t0, {
      ...sweep,
      state: 'ACTIVE',
      progress: (n, total) => process.stdout.write(`\r  ${n}/${total} ACTIVE in decisions   `),
    });
    process.stdout.write('\n');
    const setupSeconds = (performance.now() - t0) / 1000;
    log(`${opts.grants + probed.length} grants ACTIVE after ${round(setupSeconds)} s`);

    // Every deadline on one whole second, far enough ahead to reach every grant first.
    const lead = opts.leadSeconds || Math.max(20, Math.ceil(2 * setupSeconds));
    const setup = {
      ...benchStackSetup(s),
      ...opts,
      leadSeconds: lead,
      setupSeconds: round(setupSeconds),
    };
    const period = Math.ceil((Date.now() - created.getTime()) / 1000) + lead;
    const deadline = created.getTime() + period * 1000;
    log(
      `moving every deadline to ${new Date(deadline).toISOString()} (auto-lock period ${period} s, ${lead} s ahead); waiting until every grant has published it`,
    );
    const published = await watchPublishedDeadlines(grants, deadline);
    const changesFrom = performance.now();
    let sent = 0;
    let sendError: unknown;
    const sending = inLanes(grants, opts.concurrency, async (g) => {
      await s.grants.apply(g, autoLockPolicy(period));
      sent++;
    }).then(
      () => (performance.now() - changesFrom) / 1000,
      (e: unknown) => void (sendError = e),
    );
    const samples: { atMs: number; n: number }[] = [];
    let verdict = leadVerdict({
      total: grants.length,
      published: 0,
      elapsedMs: 0,
      ratePerSecond: 0,
      msLeft: deadline - Date.now(),
      marginMs: MARGIN_MS,
    });
    while (verdict.verdict === 'waiting' && sendError === undefined) {
      await new Promise((r) => setTimeout(r, 250));
      const atMs = performance.now() - changesFrom;
      samples.push({ atMs, n: published.update() });
      verdict = leadVerdict({
        total: grants.length,
        published: published.tally.published,
        elapsedMs: atMs,
        ratePerSecond: recentRate(samples, 30_000),
        msLeft: deadline - Date.now(),
        marginMs: MARGIN_MS,
      });
      const eta = verdict.verdict === 'waiting' ? `, ETA ${Math.ceil(verdict.etaSeconds)} s` : '';
      process.stdout.write(
        `\r  period sent to ${sent}/${grants.length}, new deadline published by ${published.tally.published} (${round(recentRate(samples, 30_000), 1)}/s${eta}), deadline in ${Math.round((deadline - Date.now()) / 1000)} s   `,
      );
    }
    process.stdout.write('\n');
    await published.stop();
    if (sendError !== undefined) throw sendError;
    const publishedSeconds = (performance.now() - changesFrom) / 1000;
    const periodChanges = {
      what: 'every grant sent its new period (a policyChanged signal) → every grant’s grants.state.v1 record carrying the new deadline, read by the bench',
      grants: grants.length,
      sentSeconds: verdict.verdict === 'published' ? round((await sending) ?? NaN) : undefined,
      publishedSeconds: round(publishedSeconds),
      publishedPerSecond: round(published.tally.published / publishedSeconds),
      published: published.tally.published,
    };
    if (verdict.verdict === 'too short') {
      const file = write({
        setup,
        deadline: new Date(deadline).toISOString(),
        periodChanges,
        completed: false,
        stopped: `the lead was too short: ${verdict.why}; no storm measured`,
        leadSecondsNeeded: verdict.leadSecondsNeeded,
      });
      throw new Error(
        `the deadline ${lead} s ahead is too short: ${verdict.why}. Run again with ${verdict.leadSecondsNeeded ? `--leadSeconds ${verdict.leadSecondsNeeded}` : 'a longer --leadSeconds (or without it: twice the start-up time)'} (nothing measured; ${file})`,
      );
    }
    log(
      `every grant published the new deadline after ${periodChanges.publishedSeconds} s (${periodChanges.publishedPerSecond} period changes/s); waiting for access-tracking to read them…`,
    );
    await awaitAccessTrackingRead(s, deadline - Date.now() - MARGIN_MS / 2).catch((e: unknown) => {
      throw new Error(
        `access-tracking had not read every published deadline ${MARGIN_MS / 2000} s before it: run again with a larger --leadSeconds (nothing measured; ${(e as Error).message})`,
      );
    });
    const spare = (deadline - Date.now()) / 1000;
    log(`access-tracking has them, ${round(spare)} s before the deadline; waiting for the storm…`);
    const deadlinePerf = performance.now() + (deadline - Date.now());
    const probe = probeDecisions(probed, { ...sweep, everyMs: opts.probeMs });
    const probeFrom = performance.now();
    // No load but the probe before the storm: the sweep starts half a second before the deadline.
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() - 500)));
    // The sweep's marks so far: grants of earlier runs left ACTIVE in the shared topic.
    const metricsPage = async () =>
      (await fetch(`${s.services['access-tracking']?.url}/metrics`)).text();
    const marksBefore = lockDueLateness(await metricsPage());
    const lockedAtMs: number[] = [];
    const progress = (what: string) => (n: number, total: number) =>
      process.stdout.write(
        `\r  ${n}/${total} ${what}, ${round((performance.now() - deadlinePerf) / 1000, 1)} s after the deadline   `,
      );
    // Enforcement: decisions refuse the grant (LOCKED), whoever decided it first. Walking all
    // the grants takes the bench seconds (thousands of requests) once they flip together, so
    // the lateness is read on a sample — every k-th grant (random user ids, sorted) — walked
    // whole every `--pollMs`; then every grant is checked (upper bound for all of them).
    const step = Math.max(1, Math.ceil(grants.length / opts.sample));
    const sample = grants.filter((_, i) => i % step === 0);
    const seen = await awaitDecisions(sample, deadlinePerf, {
      ...sweep,
      window: sample.length,
      state: 'LOCKED',
      progress: progress('sampled grants LOCKED in decisions'),
    });
    process.stdout.write('\n');
    const seenAll = await awaitDecisions(grants, deadlinePerf, {
      ...sweep,
      state: 'LOCKED',
      progress: progress('LOCKED in decisions'),
    });
    process.stdout.write('\n');
    log('every grant LOCKED in decisions; waiting for the workflows’ own LOCKED records…');
    const fromWorkflow = await awaitDecisions(grants, deadlinePerf, {
      ...sweep,
      state: 'LOCKED',
      reached: (d) => d.state === 'LOCKED' && d.reason !== LOCK_DUE_REASON,
      progress: progress('LOCKED by their workflow'),
    });
    process.stdout.write('\n');
    const stormEndPerf = performance.now();
    const probes = await probe.stop();
    const usage = processes.stop();
    const decisionsOutside = {
      what: `decisions for ${probed.length} grants outside the storm (ACTIVE, a day-long period), one every ${opts.probeMs} ms from the bench (its own event loop included)`,
      beforeStorm: probeSummary(probes.probes, probeFrom, deadlinePerf - 500, 'ACTIVE'),
      duringStorm: {
        what: 'from the deadline until every workflow’s LOCKED record was seen: the sweep’s marks, the workflows’ locks, the bench’s polling',
        ...probeSummary(probes.probes, deadlinePerf, stormEndPerf, 'ACTIVE'),
      },
      skippedTicks: probes.skipped,
    };
    // The sweep's own lateness (deadline → marked), from access-tracking's histogram.
    const marks = lockDueLateness(await metricsPage(), marksBefore);
    // The workflow's own lock time for each grant (from the decision), against the deadline.
    await inLanes(
      grants,
      8,
      async (g) => {
        const res = await fetch(
          `${sweep.decisionsUrl}?userId=${g.userId}&resourceId=${g.resourceId}`,
          { headers: { authorization: `Bearer ${proxyToken}` } },
        );
        const d = (await res.json()) as { lockedAt?: string };
        if (d.lockedAt) lockedAtMs.push(Date.parse(d.lockedAt) - deadline);
      },
      'lock times read',
    );
    const inDecisions = latencySummary(seen);
    const inWorkflow = latencySummary(lockedAtMs);
    const workflowInDecisions = latencySummary(fromWorkflow);
    const file = write({
      setup,
      deadline: new Date(deadline).toISOString(),
      periodChanges,
      spareSecondsAtDeadline: round(spare),
      latenessInDecisions: {
        what: `enforcement: deadline → LOCKED seen in decisions, whoever decided it, on ${sample.length} sampled grants (upper bound, ≤ one poll of the sample late)`,
        ...inDecisions,
      },
      markLateness: {
        what: 'deadline → marked lock due by access-tracking’s sweep (lapse_lock_due_lateness_seconds): grants marked within each bound',
        ...marks,
      },
      allLockedInDecisionsMs: {
        what: 'deadline → every grant seen LOCKED in decisions (a walk over all of them: upper bound)',
        maxMs: round(seenAll.reduce((a, b) => Math.max(a, b), -Infinity)),
      },
      latenessInWorkflow: { what: 'deadline → the workflow’s lockedAt', ...inWorkflow },
      latenessOfWorkflowRecord: {
        what: 'deadline → the workflow’s LOCKED record seen in decisions (upper bound)',
        ...workflowInDecisions,
      },
      decisionsOutside,
      processes: usage,
      goals: {
        appliesTo: 'enforcement (latenessInDecisions)',
        p99MsAtMost: 2000,
        p99Met: inDecisions.p99Ms <= 2000,
      },
    });
    log(
      `enforcement lateness (LOCKED in decisions) p50 ${inDecisions.p50Ms} ms p99 ${inDecisions.p99Ms} ms max ${inDecisions.maxMs} ms (the sweep marked ${marks.marked}: mean ${marks.meanMs} ms after the deadline, p99 ≤ ${marks.p99AtMostSeconds} s); the workflow's lockedAt p99 ${inWorkflow.p99Ms} ms, its record in decisions p99 ${workflowInDecisions.p99Ms} ms; decisions outside the storm p99 ${decisionsOutside.beforeStorm.p99Ms} ms before, ${decisionsOutside.duringStorm.p99Ms} ms during; ${periodChanges.publishedPerSecond} period changes/s → ${file}`,
    );
  } finally {
    await s.stop();
    log(`service logs: ${saveStackLogs('lockstorm', s)}`);
  }
}
