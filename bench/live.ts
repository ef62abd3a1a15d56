/**
 * `npm run bench -- live`: as many live grant workflows as this machine holds, on the Temporal
 * server proper on Postgres (the bench stack), used the way proxies use them.
 *
 *  1. policy, access-tracking and the grant worker run as child processes; up to --grants
 *     `accessGrant` workflows are started directly (the fan-out from a group is the fanout
 *     bench's) with an auto-lock of --auto-lock-seconds, as fast as the machine works them off:
 *     up to --start-concurrency in flight, halved while the newest grants' first workflow task
 *     waits (scheduled → started) past --task-wait-bound-ms, paused past it with one in flight
 *     until those tasks are picked up (bench/lib/ramp-control.ts). The ramp stops when every
 *     grant is started, or at the largest number held — a pause not drained in --drain-seconds,
 *     memory short, --ramp-minutes spent or a start refused — and the result says which;
 *  2. from the first start (a grant's clock starts at creation) until --minutes after the last,
 *     the proxy simulator's traffic (bench/lib/usage-load's events, as `npm run simulate`)
 *     goes at --rate usage events/s to the started grants of non-idle users (an --idle share
 *     never connects, so theirs lock), skewed like real users (a grant used before access-tracking
 *     knows it is dead-lettered as unknown, as in production). Meanwhile --chatty grants are sent
 *     `accessed` signals at --chatty-rate per second each (what an older sender did): the
 *     only way a grant's history grows quickly now, to show continue-as-new bounds it;
 *  3. CPU and memory of the Temporal server, Postgres (postmaster and backends), the grant
 *     worker and access-tracking are sampled during the ramp and, apart, during the usage phase
 *     (the steady state: every grant held);
 *  4. afterwards --sample random grants' histories give workflow task latency (scheduled →
 *     started, started → completed, during the usage phase), history events per grant (and per
 *     simulated day) and wake-ups; the chatty grants' run chains show every run bounded.
 * Progress on the terminal: started, starts/s, ETA, starts in flight, the first tasks' wait,
 * free memory. Results: bench/results/live-<timestamp>.json and live-latest.json.
 */
import { readFileSync } from 'node:fs';
import { Partitioners, type Producer } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { signProxyToken } from '@lapse/auth';
import { grantWorkflowId, type EffectivePolicy } from '@lapse/contracts';
import { startLapseStack } from '@lapse/testing/lapse-stack';
import { kafkaAs, stackTemporalSettings } from '@lapse/testing';
import { connectTemporal } from '@lapse/temporal';
import { percentile, recentRate, round } from './lib/args';
import { benchProcesses, benchStackSetup } from './lib/bench-stack';
import { benchRun } from './lib/bench-run';
import { memAvailableMiB, sampleProcesses } from './lib/proc-usage';
import { RampControl, type RampStop } from './lib/ramp-control';
import { grantsFor, usageMessage, type Grant } from './lib/usage-load';

const EventType = temporal.api.enums.v1.EventType;
const CONTINUE_AS_NEW_AT_EVENTS = 4000;
const DAY_SECONDS = 86_400;

export async function runLiveBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('live', argv, {
    grants: 100_000,
    minutes: 10,
    rate: 2000,
    idle: 0.2,
    'auto-lock-seconds': 300,
    'start-concurrency': 32,
    'ramp-minutes': 13,
    'check-seconds': 10,
    'task-wait-bound-ms': 5000,
    'drain-seconds': 120,
    'min-free-mib': 512,
    sample: 200,
    chatty: 4,
    'chatty-rate': 10,
    resources: 100,
  });
  const runId = `l${Date.now().toString(36)}`;
  log('starting policy, access-tracking and the grant worker (processes)…');
  const s = await startLapseStack('bench-live', {
    services: ['access-tracking'],
    grantWorker: 'process',
    env: { LOG_LEVEL: 'warn' },
  });
  const connection = await connectTemporal(stackTemporalSettings(), 1);
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const producer = kafkaAs('proxy', `lapse-bench-${runId}`).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const watched = benchProcesses(s, [
    'temporal-server',
    'postgres',
    'grant-worker',
    'access-tracking',
  ]);
  const procs = sampleProcesses(watched);
  let steadyProcs: ReturnType<typeof sampleProcesses> | undefined;
  try {
    const users = Math.ceil(opts.grants / opts.resources);
    const all = grantsFor(runId, users, opts.resources).slice(0, opts.grants);
    const policy: EffectivePolicy = {
      autoLock: { durationSeconds: opts['auto-lock-seconds'], approval: 'MANUAL' },
      accessRequests: null,
      expiresAt: null,
      sourceGroupIds: [`bench-${runId}`],
    };

    // 1. Start the grants as fast as the machine works them off (RampControl), until every
    //    one is started or a limit stops the ramp. Usage starts with the ramp (a grant's auto-lock
    //    clock starts when it is created): each started grant is used from then on, or never
    //    (--idle share).
    let next = 0;
    let refused: string | null = null;
    let stop: RampStop | undefined;
    const started: Grant[] = [];
    const startedAtMs: number[] = [];
    const used: Grant[] = [];
    const idle: Grant[] = [];
    const usage = startUsage(producer, used, opts.rate);
    const t0 = performance.now();
    const rampFrom = Date.now();
    const ramp = new RampControl({
      maxLanes: opts['start-concurrency'],
      boundMs: opts['task-wait-bound-ms'],
      drainMs: opts['drain-seconds'] * 1000,
      minFreeMiB: opts['min-free-mib'],
      budgetMs: opts['ramp-minutes'] * 60_000,
      total: all.length,
    });
    const rampWaits: number[] = [];
    const ramping = () => stop === undefined && refused === null && next < all.length;
    const lanes = Promise.all(
      Array.from({ length: opts['start-concurrency'] }, async (_, lane) => {
        while (ramping()) {
          if (lane >= ramp.lanes) {
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          const g = all[next++];
          try {
            await s.grants.start(g, { policy });
            started.push(g);
            startedAtMs.push(performance.now());
            (Math.random() < opts.idle ? idle : used).push(g);
          } catch (e) {
            refused ??= `start ${started.length + 1} refused: ${(e as Error).message}`;
          }
        }
      }),
    );
    // Every --check-seconds: the first workflow task's wait of grants started one to two checks
    // ago (those not picked up yet count with their wait so far), memory, progress.
    const checkMs = opts['check-seconds'] * 1000;
    const recentRates: { atMs: number; n: number }[] = [];
    while (ramping()) {
      await Promise.race([lanes, new Promise((r) => setTimeout(r, checkMs))]);
      if (!ramping()) break;
      const now = performance.now();
      const recent = started.filter((_, i) => {
        const age = now - startedAtMs[i];
        return age >= checkMs && age < 2 * checkMs;
      });
      const firstTasks = async (gs: Grant[]) =>
        (await Promise.all(gs.map((g) => firstTask(client, grantWorkflowId(g))))).filter(
          (t) => t !== undefined,
        );
      const waits = (await firstTasks(pickRandom(recent, 20))).map((t) => t.waitMs);
      rampWaits.push(...waits);
      // Paused: have the newest grants' first tasks all been picked up (the backlog worked off)?
      const newestPickedUp =
        ramp.lanes === 0
          ? (await firstTasks(started.slice(-20))).every((t) => t.pickedUp)
          : undefined;
      recentRates.push({ atMs: now - t0, n: started.length });
      const rate = recentRate(recentRates, 60_000) || started.length / ((now - t0) / 1000);
      const p90 = percentile(waits, 90);
      const freeMiB = memAvailableMiB();
      stop = ramp.check({
        held: started.length,
        taskWaitP90Ms: p90,
        freeMiB,
        elapsedMs: now - t0,
        newestPickedUp,
      });
      process.stdout.write(
        `\r  ${started.length}/${all.length} started, ${round(rate, 1)}/s, ETA ${Math.round((all.length - started.length) / Math.max(rate, 1e-3))} s; ${ramp.lanes ? `${ramp.lanes} in flight` : 'paused'}; first task waited p90 ${round(p90 / 1000, 1)} s; ${Math.round(freeMiB)} MiB free; ${usage.sent} usage events   `,
      );
    }
    await lanes;
    process.stdout.write('\n');
    const startSeconds = (performance.now() - t0) / 1000;
    const limit: RampStop | { by: 'refused'; held: number; detail: string } = refused
      ? { by: 'refused', held: started.length, detail: refused }
      : (stop ?? { by: 'all started', held: started.length });
    log(
      `${started.length} grant workflows started in ${round(startSeconds)} s (${round(started.length / startSeconds)}/s); the ramp stopped: ${limit.by}${'detail' in limit ? ` (${limit.detail})` : ''}`,
    );
    const token = await signProxyToken(s.serviceSecret, 'bench-live');
    const decisionsUrl = `${s.services['access-tracking']?.url}/v1/decisions`;

    // 2. Usage for --minutes more; chatty grants signalled meanwhile.
    const rampUsage = procs.stop();
    steadyProcs = sampleProcesses(watched);
    const chatty = used.slice(0, opts.chatty);
    const usageFrom = Date.now();
    const seconds = opts.minutes * 60;
    let chattySignals = 0;
    let stopChatty = false;
    const chattyDone = Promise.all(
      chatty.map(async (g) => {
        while (!stopChatty) {
          await s.grants.accessed(g, new Date().toISOString());
          chattySignals++;
          // A steady sender's pace (a flood faster than the workflow's tasks would postpone
          // continue-as-new until it pauses: docs/grant-workflow.md).
          await new Promise((r) => setTimeout(r, 1000 / opts['chatty-rate']));
        }
      }),
    );
    while (Date.now() - usageFrom < seconds * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      process.stdout.write(
        `\r  usage: ${usage.sent} events, ${Math.round((Date.now() - usageFrom) / 1000)}/${seconds} s; chatty signals ${chattySignals}   `,
      );
    }
    const sent = await usage.stop();
    stopChatty = true;
    await chattyDone;
    process.stdout.write('\n');
    const usageTo = Date.now();
    const processUsage = steadyProcs.stop();
    log(
      `usage phase over: ${sent} events to ${used.length} grants, ${chattySignals} chatty signals`,
    );

    // 3. Histories of a random sample (idle and used), and the chatty grants' run chains.
    const sample = pickRandom(
      started.filter((g) => !chatty.includes(g)),
      opts.sample,
    );
    const histories = await Promise.all(sample.map((g) => historyOf(client, grantWorkflowId(g))));
    const scheduleToStart: number[] = [];
    const startToComplete: number[] = [];
    let eventsInWindow = 0;
    let wakeUps = 0;
    for (const h of histories)
      for (const run of h.runs) {
        const scheduledAt = new Map<string, number>();
        const startedAt = new Map<string, number>();
        for (const e of run) {
          const at = eventMs(e);
          if (at < usageFrom || at > usageTo) continue;
          eventsInWindow++;
          const id = String(e.eventId);
          if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduledAt.set(id, at);
          else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
            const sched = scheduledAt.get(
              String(e.workflowTaskStartedEventAttributes?.scheduledEventId),
            );
            if (sched !== undefined) scheduleToStart.push(at - sched);
            startedAt.set(id, at);
          } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
            const st = startedAt.get(
              String(e.workflowTaskCompletedEventAttributes?.startedEventId),
            );
            if (st !== undefined) startToComplete.push(at - st);
          } else if (
            e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
            e.activityTaskScheduledEventAttributes?.activityType?.name === 'latestAccess'
          )
            wakeUps++;
        }
      }
    const chattyRuns = await Promise.all(
      chatty.map(async (g) =>
        (await historyOf(client, grantWorkflowId(g))).runs.map((r) => r.length),
      ),
    );
    const longestRun = Math.max(
      0,
      ...chattyRuns.flat(),
      ...histories.flatMap((h) => h.runs.map((r) => r.length)),
    );
    const windowSeconds = (usageTo - usageFrom) / 1000;
    const perGrantWindow = eventsInWindow / Math.max(sample.length, 1);
    const perGrantDay = (perGrantWindow * DAY_SECONDS) / windowSeconds;
    const summary = (xs: number[]) => ({
      n: xs.length,
      p50Ms: percentile(xs, 50),
      p99Ms: percentile(xs, 99),
      maxMs: percentile(xs, 100),
    });
    const locked = await stateCounts(decisionsUrl, token, sample, idle);

    const results = {
      setup: { ...benchStackSetup(s), ...opts },
      held: {
        grants: started.length,
        asked: opts.grants,
        startSeconds: round(startSeconds),
        startsPerSecond: round(started.length / startSeconds),
        limit,
        what: 'the ramp stops at the first of: every grant started; a start refused; starts paused (the newest grants’ first workflow task waited, scheduled → started, p90 over --task-wait-bound-ms with one start in flight) for --drain-seconds without those tasks all picked up; MemAvailable under --min-free-mib; --ramp-minutes spent',
        wakeUpsPerSecondHeld: round(started.length / opts['auto-lock-seconds'], 1),
        grantsAtOneHourAutoLock: Math.round((started.length * 3600) / opts['auto-lock-seconds']),
        arithmetic:
          'a held grant wakes once per auto-lock period (2 workflow tasks): held / auto-lock wake-ups per second; the same work holds held × 3600 / auto-lock grants at a 1 h auto-lock',
        firstTaskWait: {
          what: 'scheduled → started of sampled new grants’ first workflow task during the ramp (one not started yet counts its wait so far)',
          ...summary(rampWaits),
        },
        checks: ramp.history.map((c) => ({
          atSeconds: round(c.elapsedMs / 1000, 0),
          held: c.held,
          inFlight: c.lanes,
          firstTaskWaitP90Ms: Math.round(c.taskWaitP90Ms),
          freeMiB: Math.round(c.freeMiB),
        })),
      },
      usage: {
        seconds: round(windowSeconds),
        events: sent,
        rampSeconds: round((usageFrom - rampFrom) / 1000),
        usedGrants: used.length,
        idleGrants: idle.length,
        chattyGrants: chatty.length,
        chattySignals,
      },
      workflowTaskLatency: {
        scheduleToStart: summary(scheduleToStart),
        startToComplete: summary(startToComplete),
        note: 'from the sampled histories, workflow tasks scheduled during the usage phase',
      },
      processes: {
        ...processUsage,
        note: 'the steady state: coresAverage = CPU seconds / wall seconds over the usage phase (every grant held); postgres = postmaster and its backends (both Lapse and Temporal databases)',
      },
      processesDuringRamp: rampUsage,
      history: {
        sampledGrants: sample.length,
        eventsPerGrantInUsagePhase: round(perGrantWindow, 2),
        eventsPerGrantPerDayAtThisAutoLock: round(perGrantDay, 1),
        eventsPerGrantPerDayAtOneHourAutoLock: round(
          (perGrantDay * opts['auto-lock-seconds']) / 3600,
          1,
        ),
        wakeUpsPerSampledGrant: round(wakeUps / Math.max(sample.length, 1), 2),
        note: 'a day of constant use at this auto-lock; work scales with 1 / auto-lock, not with use (npm run bench -- workday counts a realistic day)',
      },
      continueAsNew: {
        threshold: CONTINUE_AS_NEW_AT_EVENTS,
        chattyRunLengths: chattyRuns,
        longestRun,
        bounded: longestRun <= CONTINUE_AS_NEW_AT_EVENTS + 1000,
      },
      decisionsAtEnd: locked,
    };
    const file = write(results);
    console.log(readFileSync(file, 'utf8'));
    log(`results: ${file}`);
  } finally {
    procs.stop();
    steadyProcs?.stop();
    await producer.disconnect();
    await connection.close();
    await s.stop();
  }
}

function pickRandom<T>(xs: T[], n: number): T[] {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

function eventMs(e: temporal.api.history.v1.IHistoryEvent): number {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
}

/**
 * A grant's first workflow task: whether a worker has picked it up, and its wait (scheduled →
 * started, ms; its wait so far when not picked up yet). Undefined when the history cannot be read.
 */
async function firstTask(
  client: Client,
  workflowId: string,
): Promise<{ waitMs: number; pickedUp: boolean } | undefined> {
  try {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.find(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    );
    if (!scheduled) return undefined;
    const started = events.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED &&
        String(e.workflowTaskStartedEventAttributes?.scheduledEventId) ===
          String(scheduled.eventId),
    );
    return {
      waitMs: (started ? eventMs(started) : Date.now()) - eventMs(scheduled),
      pickedUp: !!started,
    };
  } catch {
    return undefined;
  }
}

/** Every run of a workflow, first to latest (continue-as-new followed). */
async function historyOf(
  client: Client,
  workflowId: string,
): Promise<{ runs: temporal.api.history.v1.IHistoryEvent[][] }> {
  const first = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo
    ?.firstRunId;
  const runs: temporal.api.history.v1.IHistoryEvent[][] = [];
  let runId: string | undefined = first ?? undefined;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    runs.push(events);
    runId =
      events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { runs };
}

/** Decisions at the end: the sample's states, and how many idle grants locked. */
async function stateCounts(url: string, token: string, sample: Grant[], idle: Grant[]) {
  const stateOf = async (g: Grant) =>
    (
      (await (
        await fetch(`${url}?userId=${g.userId}&resourceId=${g.resourceId}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { state: string }
    ).state;
  const idleSet = new Set(idle);
  const counts = { usedActive: 0, usedLocked: 0, idleActive: 0, idleLocked: 0 };
  for (const g of sample) {
    const state = await stateOf(g);
    const key =
      `${idleSet.has(g) ? 'idle' : 'used'}${state === 'ACTIVE' ? 'Active' : 'Locked'}` as keyof typeof counts;
    counts[key]++;
  }
  return {
    ...counts,
    note: 'sampled grants; a used grant locks when its user was idle longer than the auto-lock (random usage), an idle one must',
  };
}

/**
 * The proxy simulator's traffic (as bench/lib/usage-load's publishAtRate) over a list of grants
 * that grows while it runs: `rate` events/s, half of them to the first tenth of the grants.
 */
function startUsage(producer: Producer, grants: Grant[], rate: number) {
  let from = Date.now();
  const state = { sent: 0 };
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const loop = (async () => {
    while (!stopped) {
      if (grants.length === 0) from = Date.now() - (state.sent / rate) * 1000; // nobody to use yet
      const due = Math.floor(((Date.now() - from) / 1000) * rate) - state.sent;
      if (due > 0 && grants.length > 0) {
        const now = Date.now();
        const n = grants.length;
        const messages = Array.from({ length: due }, () =>
          usageMessage(
            grants[
              Math.random() < 0.5
                ? Math.floor(Math.random() * Math.max(1, Math.ceil(n / 10)))
                : Math.floor(Math.random() * n)
            ],
            now,
          ),
        );
        const p = producer
          .send({ topic: TOPICS.usage, acks: 1, messages })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        state.sent += due;
        if (inFlight.size > 20) await Promise.race(inFlight);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(inFlight);
  })();
  return {
    get sent() {
      return state.sent;
    },
    stop: async () => {
      stopped = true;
      await loop;
      return state.sent;
    },
  };
}
