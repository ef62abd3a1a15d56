/**
 * `npm run bench -- workday`: Temporal work per grant per simulated day, with and without
 * `accessed` signals, on the time-skipping test server (no real waiting; reproducible).
 *
 * Two sets of real `accessGrant` workflows (the production bundle) live the same days side by
 * side. Each day the user asks for access if the grant is locked (AUTOMATIC approval), then uses
 * it every --access-every-seconds for --active-hours, then is idle until the next day. Every access
 * is recorded where access-tracking records it (what `latestAccess` answers). The `signals` set
 * also gets an `accessed` signal per access, at most one per --window-seconds (what access-tracking
 * sent until it stopped signalling); the `latestAccess` set gets none (what it does now). From the
 * workflows' histories (every run, across continue-as-new): workflow tasks, history events,
 * signals and activities per grant per day. Correctness is checked in the same run: no grant of
 * either set is ever locked while in use, and every grant locks once idle past its auto-lock.
 * Results: bench/results/workday-<timestamp>.json and workday-latest.json.
 */
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { GrantClient } from '@lapse/grant-client';
import { round } from './lib/args';
import { benchRun } from './lib/bench-run';
import {
  DAY,
  GrantHarness,
  SECOND,
  policyOf,
  type GrantHandle,
} from '@lapse/grant-workflow/testing';

const EventType = temporal.api.enums.v1.EventType;

type Mode = 'signals' | 'latestAccess';

interface SimGrant {
  mode: Mode;
  handle: GrantHandle;
  ref: { userId: string; resourceId: string };
  lastSignalAt: number | null;
  signalsSent: number;
}

export async function runWorkdayBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('workday', argv, {
    grants: 3,
    days: 2,
    'auto-lock-minutes': 60,
    'active-hours': 4,
    'access-every-seconds': 60,
    'window-seconds': 60,
  });
  const autoLockMs = opts['auto-lock-minutes'] * 60 * SECOND;
  const activeMs = opts['active-hours'] * 3600 * SECOND;
  if (activeMs + autoLockMs >= DAY)
    throw new Error(
      '--active-hours plus --auto-lock-minutes must leave the grant idle-locked daily',
    );
  const stepMs = opts['access-every-seconds'] * SECOND;
  const h = await GrantHarness.start();
  const client = new GrantClient(h.env.client, { taskQueuePrefix: h.prefix });
  try {
    const policy = policyOf({
      autoLock: { durationSeconds: opts['auto-lock-minutes'] * 60, approval: 'AUTOMATIC' },
    });
    const start = await h.now();
    const grants: SimGrant[] = [];
    for (const mode of ['signals', 'latestAccess'] as const)
      for (let i = 0; i < opts.grants; i++) {
        const handle = await h.startGrant({ policy });
        const v = await h.state(handle);
        grants.push({
          mode,
          handle,
          ref: { userId: v.userId, resourceId: v.resourceId },
          lastSignalAt: null,
          signalsSent: 0,
        });
      }
    log(`${grants.length} grants started (${opts.grants} per mode)`);

    const lockedWhileInUse: string[] = [];
    let requests = 0;
    for (let day = 0; day < opts.days; day++) {
      const dayStart = start + day * DAY;
      await h.sleepUntil(dayStart);
      // The morning: a locked grant is asked for again (AUTOMATIC: unlocked at once).
      for (const g of grants) {
        if ((await h.state(g.handle)).state === 'ACTIVE') continue;
        await client.submit(g.ref, {
          requestId: `day-${day}`,
          userId: g.ref.userId,
          reason: 'back at work',
        });
        requests++;
      }
      // In use: an access every step, recorded by access-tracking; signalled in `signals` mode.
      for (let at = dayStart; at < dayStart + activeMs; at += stepMs) {
        await h.sleepUntil(at);
        for (const g of grants) {
          h.recordAccessOnly(g.ref, at);
          if (g.mode !== 'signals') continue;
          if (g.lastSignalAt !== null && at - g.lastSignalAt < opts['window-seconds'] * SECOND)
            continue;
          await client.accessed(g.ref, new Date(at).toISOString());
          g.lastSignalAt = at;
          g.signalsSent++;
        }
      }
      // Idle until past the auto-lock: every grant locks (after asking latestAccess).
      const lastAccess = dayStart + activeMs - stepMs;
      await h.sleepUntil(lastAccess + autoLockMs + SECOND);
      for (const g of grants) {
        await h.waitForState(g.handle, 'LOCKED');
        // Rule 1: no lock before the last access + the auto-lock duration (read from the views the
        // workflow published, so no query meets a signal's workflow task and adds one).
        for (const v of h.publishedFor(g.ref)) {
          const lockedAt = v.lockedAt === null ? null : Date.parse(v.lockedAt);
          if (lockedAt !== null && lockedAt >= dayStart && lockedAt < lastAccess + autoLockMs)
            lockedWhileInUse.push(`${g.mode} grant locked at ${v.lockedAt} (day ${day + 1})`);
        }
      }
      log(`day ${day + 1}/${opts.days} simulated; every grant locked once idle`);
    }
    if (lockedWhileInUse.length > 0)
      throw new Error(`grants locked while in use: ${lockedWhileInUse.slice(0, 5).join('; ')}`);

    const perMode = {} as Record<Mode, ReturnType<typeof summarise>>;
    for (const mode of ['signals', 'latestAccess'] as const) {
      const counts = await Promise.all(
        grants.filter((g) => g.mode === mode).map((g) => historyCounts(h, g.handle)),
      );
      perMode[mode] = summarise(counts, opts.days);
    }
    const accessesPerDay = Math.ceil(activeMs / stepMs);
    const results = {
      options: opts,
      method:
        'real accessGrant workflows (production bundle) on the time-skipping test server; counts from every run of each workflow (continue-as-new followed), divided by simulated days',
      perDay: {
        accessesPerGrant: accessesPerDay,
        requestsPerGrant: round(requests / grants.length / opts.days, 2),
      },
      before: { mode: 'accessed signal per grant per window', ...perMode.signals },
      after: { mode: 'no signals; latestAccess before each auto-lock', ...perMode.latestAccess },
      ratio: {
        workflowTasks: round(
          perMode.latestAccess.workflowTasksPerGrantPerDay /
            perMode.signals.workflowTasksPerGrantPerDay,
          3,
        ),
        historyEvents: round(
          perMode.latestAccess.historyEventsPerGrantPerDay /
            perMode.signals.historyEventsPerGrantPerDay,
          3,
        ),
      },
      floor: {
        wakeUpsPerGrantPerDay: round(
          Math.ceil(activeMs / autoLockMs) + 1 + requests / grants.length / opts.days,
          2,
        ),
        note: 'one wake-up per auto-lock period in use, the idle lock, the morning request',
      },
      lockedWhileInUse: lockedWhileInUse.length,
    };
    const file = write(results, 'time-skipping test server: figures are counts, not times');
    console.log(readFileSync(file, 'utf8'));
    log(`results: ${file}`);
  } finally {
    await h.teardown();
  }
}

interface Counts {
  runs: number;
  events: number;
  workflowTasks: number;
  signals: number;
  activities: number;
  timers: number;
}

/** Counts over every run of the workflow, from its first through continue-as-new. */
async function historyCounts(h: GrantHarness, g: GrantHandle): Promise<Counts> {
  const c: Counts = { runs: 0, events: 0, workflowTasks: 0, signals: 0, activities: 0, timers: 0 };
  let runId: string | undefined = g.firstExecutionRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await h.env.client.workflow
      .getHandle(g.workflowId, runId)
      .fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    c.runs++;
    c.events += events.length;
    for (const e of events) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) c.workflowTasks++;
      else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) c.signals++;
      else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) c.activities++;
      else if (e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) c.timers++;
    }
    runId =
      events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return c;
}

function summarise(counts: Counts[], days: number) {
  const per = (k: keyof Counts) =>
    round(counts.reduce((s, c) => s + c[k], 0) / counts.length / days, 2);
  return {
    grants: counts.length,
    workflowTasksPerGrantPerDay: per('workflowTasks'),
    historyEventsPerGrantPerDay: per('events'),
    signalsPerGrantPerDay: per('signals'),
    activitiesPerGrantPerDay: per('activities'),
    timersPerGrantPerDay: per('timers'),
    runsPerGrant: round(counts.reduce((s, c) => s + c.runs, 0) / counts.length, 2),
  };
}
