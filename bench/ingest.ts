/**
 * `npm run bench -- ingest`: access-tracking's ingestion and decisions on this machine.
 *
 *  1. seeds --grants ACTIVE grants (grants.state.v1) and pre-publishes --events usage events
 *     spread over them (access.usage.v1);
 *  2. ceiling: a bare kafkajs consumer reads those same events (no parsing, no writes);
 *  3. Lapse: the app (in this process) ingests them: validate, DLQ, coalesce, monotonic
 *     write, commit — events/s until all are durable, and the ratio to the ceiling. The first
 *     --workflows grants are real `accessGrant` workflows (a grant worker in this process, on the
 *     bench stack's Temporal server on Postgres);
 *     their histories are read before and after, so the Temporal work ingestion causes is measured
 *     (none: workflows are not signalled, they ask `latestAccess` when an auto-lock falls due);
 *  4. latency: --rate events/s for --latency-seconds, publish (Kafka timestamp) → durable;
 *  5. decisions: autocannon (a worker thread) at --decisions-rate for --decisions-seconds, against
 *     a bare node:http server first (the floor), then against Lapse.
 * Results: bench/results/ingest-<timestamp>.json and ingest-latest.json.
 */
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Partitioners, type Kafka } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { Client, type Connection } from '@temporalio/client';
import { signProxyToken } from '@lapse/auth';
import { grantWorkflowId, type GrantRef } from '@lapse/contracts';
import { GrantClient } from '@lapse/grant-client';
import { startGrantWorker, type RunningGrantWorker } from '@lapse/testing/lapse-stack';
import { connectTemporal } from '@lapse/temporal';
import { migrate } from '@lapse/db';
import { ensureTopics } from '@lapse/kafka';
import { lapseValidationPipe } from '@lapse/platform';
import {
  createTestDatabase,
  databaseUrlAs,
  waitFor,
  kafkaAs,
  kafkaEnvAs,
  stack,
  stackTemporalSettings,
} from '@lapse/testing';
import {
  DecisionsFastPath,
  GrantProjection,
  GrantStateConsumer,
  UsageIngestor,
  createAppModule,
  dataSourceOptions,
  loadServiceConfig,
} from '../apps/access-tracking/src';
import { percentile, round } from './lib/args';
import {
  measureDecisions,
  serverSideBuckets,
  withBareServer,
  withinShares,
} from './lib/decisions-load';
import { benchStackSetup } from './lib/bench-stack';
import { benchRun } from './lib/bench-run';
import { startCpuProfile } from './lib/cpu-profile-session';
import { summarizeCpuProfile } from './lib/cpu-profile-summary';
import { grantsFor, publishActiveGrants, publishAtRate, usageMessage } from './lib/usage-load';

const SECRET = 'bench-secret-of-at-least-32-bytes-0123456789';
/** With --profile, the time spent in each step of ingestion (inclusive of what each calls). */
const PROFILED_STEPS = [
  'handleBatch',
  'scanUsualUsage',
  'validateUsage',
  'parse',
  'safeParse',
  'compactGrantKey',
  'recordLatest',
  'compactRows',
  'deadLetter',
  'decodeMessages',
  'fetch',
  '(garbage collector)',
];

export async function runIngestBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('ingest', argv, {
    grants: 100_000,
    events: 500_000,
    rate: 5000,
    'latency-seconds': 15,
    'decisions-rate': 5000,
    'decisions-seconds': 30,
    'decisions-connections': 10,
    workflows: 1000,
    'keep-db': false,
    /** A directory: the ingestion phase (group join → all durable) is CPU-profiled into it. */
    profile: '',
  });
  const runId = `b${Date.now().toString(36)}`;
  // The operator creates topics and reads offsets; grants go out as the grant worker, usage as a
  // proxy (the principals the broker takes those records from).
  const kafka = kafkaAs('ops', `lapse-bench-${runId}`);
  await ensureTopics(kafka);
  const db = await createTestDatabase(`bench_${runId}`);
  await migrate(dataSourceOptions(db.url));
  const producerOptions = {
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  };
  const grantProducer = kafkaAs('grant-worker', `lapse-bench-${runId}`).producer(producerOptions);
  const producer = kafkaAs('proxy', `lapse-bench-${runId}`).producer(producerOptions);
  await Promise.all([producer.connect(), grantProducer.connect()]);
  let app: INestApplication | undefined;
  let worker: RunningGrantWorker | undefined;
  let connection: Connection | undefined;
  try {
    // 1. Grants and events.
    const resources = 100;
    const grants = grantsFor(runId, Math.ceil(opts.grants / resources), resources).slice(
      0,
      opts.grants,
    );
    const grantStart = await endOffsets(kafka, TOPICS.grantState);
    let t = Date.now();
    await publishActiveGrants(grantProducer, grants, { lastAccessAt: null, version: 1 });
    await grantProducer.disconnect();
    log(`seeded ${grants.length} grants in ${Date.now() - t} ms`);

    // Real workflows for the first --workflows grants (their published state supersedes the
    // seeded one: a fresh run's version is above 1). Auto-lock 1 h: none falls due in the run.
    const workflowGrants = grants.slice(0, Math.min(opts.workflows, grants.length));
    let temporal: Client | undefined;
    if (workflowGrants.length > 0) {
      t = Date.now();
      worker = await startGrantWorker({ taskQueuePrefix: `${runId}-`, clientId: `bench-${runId}` });
      connection = await connectTemporal(stackTemporalSettings(), 1);
      temporal = new Client({ connection, namespace: stack.temporalNamespace });
      const client = new GrantClient(temporal, { taskQueuePrefix: `${runId}-` });
      const policy = {
        autoLock: { durationSeconds: 3600, approval: 'MANUAL' as const },
        accessRequests: null,
        expiresAt: null,
        sourceGroupIds: [`bench-${runId}`],
      };
      await inParallel(
        workflowGrants,
        16,
        (g) => client.start(g, { policy }),
        (n) => process.stdout.write(`\r  started ${n}/${workflowGrants.length} grant workflows   `),
      );
      process.stdout.write('\n');
      log(`started ${workflowGrants.length} grant workflows in ${Date.now() - t} ms`);
    }
    const historyOf = (c: Client) =>
      inParallel(workflowGrants, 16, (g) => settledHistoryLength(c, g));
    const historyBefore = temporal ? await historyOf(temporal) : [];

    const usageStart = await endOffsets(kafka, TOPICS.usage);
    t = Date.now();
    const base = Date.now() - 3_600_000;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < opts.events; i += 5000) {
      const n = Math.min(5000, opts.events - i);
      // Every grant appears (100k distinct grants in the stream), in random order and times.
      const messages = Array.from({ length: n }, (_, j) =>
        usageMessage(
          grants[(i + j) % grants.length],
          base + Math.floor(Math.random() * 3_000_000),
          'bench',
        ),
      );
      sends.push(producer.send({ topic: TOPICS.usage, acks: 1, messages }));
      if (sends.length >= 8) await Promise.all(sends.splice(0));
      if ((i / 5000) % 20 === 0) process.stdout.write(`\r  published ${i + n}/${opts.events}   `);
    }
    await Promise.all(sends);
    const publishMs = Date.now() - t;
    const usageEnd = await endOffsets(kafka, TOPICS.usage);
    const total = [...usageEnd].reduce((s, [p, end]) => s + end - (usageStart.get(p) ?? 0), 0);
    process.stdout.write('\n');
    log(
      `published ${opts.events} usage events in ${publishMs} ms (${Math.round(opts.events / (publishMs / 1000))}/s); ${total} in range (other writers included)`,
    );

    // 2. Ceiling: raw kafkajs consumption of the same offsets.
    const rawGroup = `lapse-bench-raw-${runId}`;
    await setGroupOffsets(kafka, rawGroup, TOPICS.usage, usageStart);
    const raw = await rawConsume(kafka, rawGroup, usageStart, usageEnd);
    log(
      `raw kafkajs consume: ${raw.messages} messages in ${raw.ms} ms → ${Math.round(raw.messages / (raw.ms / 1000))}/s`,
    );

    // 3. Lapse ingestion of the same offsets.
    const usageGroup = `lapse-bench-usage-${runId}`;
    const grantGroup = `lapse-bench-grants-${runId}`;
    await setGroupOffsets(kafka, usageGroup, TOPICS.usage, usageStart);
    await setGroupOffsets(kafka, grantGroup, TOPICS.grantState, grantStart);
    const config = loadServiceConfig({
      ...process.env,
      ...kafkaEnvAs('access-tracking'),
      DATABASE_URL: databaseUrlAs('access-tracking', db.url),
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: stack.temporalAddress,
      LAPSE_JWT_SECRET: `jwt-${SECRET}`,
      LAPSE_SERVICE_SECRET: SECRET,
      LAPSE_USAGE_GROUP_ID: usageGroup,
      LAPSE_GRANT_STATE_GROUP_ID: grantGroup,
      LAPSE_TASK_QUEUE_PREFIX: `${runId}-`,
      LOG_LEVEL: 'warn',
    });
    const bootStarted = Date.now();
    app = await NestFactory.create(createAppModule(config), { logger: ['error', 'warn'] });
    app.useGlobalPipes(lapseValidationPipe());
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const ingestor = app.get(UsageIngestor);
    let firstDurable = 0;
    let lastDurable = 0;
    ingestor.onDurable(({ durableAt }) => {
      firstDurable ||= durableAt;
      lastDurable = durableAt;
    });
    await app.get(GrantStateConsumer).caughtUp;
    const profiler = opts.profile ? await startCpuProfile(opts.profile, `ingest-${runId}`) : null;
    const projectionMs = Date.now() - bootStarted;
    log(`projection holds ${app.get(GrantProjection).size} grants ${projectionMs} ms after boot`);
    await waitFor(
      () => {
        const done = ingestor.stats.accepted + ingestor.stats.rejected;
        process.stdout.write(`\r  ingested ${done}/${total}   `);
        return done >= total ? true : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 500, what: 'all events durable' },
    );
    process.stdout.write('\n');
    const profiled = await profiler?.stop();
    const profile = profiled && summarizeCpuProfile(profiled.profile, PROFILED_STEPS);
    if (profiled && profile) {
      log(
        `CPU profile of the ingestion phase: ${profiled.file}; main thread busy ${Math.round(profile.busyShare * 100)} % of ${profile.ms} ms`,
      );
      for (const s of profile.selfTime.slice(0, 12)) log(`  self ${s.ms} ms  ${s.fn}`);
      for (const [f, t] of Object.entries(profile.inclusiveTime)) log(`  total ${t.ms} ms  ${f}`);
    }
    // From joining the group (the consumer can fetch) to the last batch durable.
    const ingestMs = lastDurable - ingestor.joinedAt;
    const steadyMs = lastDurable - firstDurable;
    const ingested = { ...ingestor.stats };
    log(
      `Lapse ingestion: ${total} events durable in ${ingestMs} ms from group join (${Math.round(total / (ingestMs / 1000))}/s), ${steadyMs} ms first→last batch (${Math.round(total / (steadyMs / 1000))}/s)`,
    );

    // 4. Latency at a steady rate.
    const lags: number[] = [];
    ingestor.onDurable(({ publishedAt, durableAt }) => {
      for (const p of publishedAt) lags.push(durableAt - p);
    });
    const active = grants.slice(0, Math.min(grants.length, 20_000));
    const sentAtRate = await publishAtRate(
      producer,
      active,
      opts.rate,
      opts['latency-seconds'],
      (n, ms) =>
        process.stdout.write(
          `\r  latency phase: ${n} events, ${Math.round(ms / 1000)}/${opts['latency-seconds']} s   `,
        ),
    );
    await waitFor(() => (lags.length >= sentAtRate ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'latency events durable',
    });
    process.stdout.write('\n');
    log(
      `publish → durable over ${lags.length} events at ${opts.rate}/s: p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms`,
    );
    const historyAfter = temporal ? await historyOf(temporal) : [];
    const eventsAdded = historyAfter.reduce((sum, n, i) => sum + n - historyBefore[i], 0);
    log(
      `${workflowGrants.length} real grant workflows (all used in both phases): ${eventsAdded} history events added by ingestion`,
    );

    // 5. Decisions under load: first the floor (a bare node:http server answering a fixed body,
    //    measured with the same client and settings), then Lapse.
    const token = await signProxyToken(SECRET, 'bench-proxy');
    const paths = Array.from({ length: 200 }, (_, i) => {
      const g =
        i % 4 === 3
          ? { userId: `nobody-${i}`, resourceId: 'nothing' }
          : grants[(i * 997) % grants.length];
      return {
        method: 'GET',
        path: `/v1/decisions?userId=${encodeURIComponent(g.userId)}&resourceId=${encodeURIComponent(g.resourceId)}`,
      };
    });
    const load = (target: string) =>
      measureDecisions(target, {
        rate: opts['decisions-rate'],
        seconds: opts['decisions-seconds'],
        connections: opts['decisions-connections'],
        token,
        paths,
      });
    const floor = await withBareServer((floorUrl) => load(floorUrl));
    log(
      `decisions floor (bare node:http, fixed body): ${floor.requestsPerSecond} req/s, p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms`,
    );
    const fastPath = app.get(DecisionsFastPath);
    const servedBefore = fastPath.served;
    const bucketsBefore = await serverSideBuckets();
    const decisions = await load(url);
    const serverSide = withinShares(bucketsBefore, await serverSideBuckets());
    const servedFast = fastPath.served - servedBefore;
    log(
      `decisions: ${decisions.requestsPerSecond} req/s, p50 ${decisions.p50Ms} ms, p99 ${decisions.p99Ms} ms, non-2xx ${decisions.non2xx}, errors ${decisions.errors}; ${servedFast} of ${decisions.total} on the fast path`,
    );

    const rawRate = raw.messages / (raw.ms / 1000);
    const lapseRate = total / (ingestMs / 1000);
    const results = {
      options: opts,
      stream: {
        events: total,
        distinctGrants: grants.length,
        publishEventsPerSecond: Math.round(opts.events / (publishMs / 1000)),
      },
      rawConsume: { messages: raw.messages, ms: raw.ms, eventsPerSecond: Math.round(rawRate) },
      lapseIngest: {
        events: total,
        msFromGroupJoin: ingestMs,
        eventsPerSecond: Math.round(lapseRate),
        msFirstToLastBatch: steadyMs,
        eventsPerSecondSteady: Math.round(total / (steadyMs / 1000)),
        ratioToRaw: round(lapseRate / rawRate, 3),
        ratioToRawSteady: round(total / (steadyMs / 1000) / rawRate, 3),
        batches: ingested.batches,
        writes: ingested.writes,
        rowsWritten: ingested.rowsWritten,
        rowsSkipped: ingested.rowsSkipped,
        accepted: ingested.accepted,
        rejected: ingested.rejected,
        projectionReadyMs: projectionMs,
        target: { eventsPerSecond: Math.min(50_000, Math.round(0.6 * rawRate)) },
      },
      ...(profile ? { profile } : {}),
      workflows: {
        temporal: `${benchStackSetup().temporal}, bench stack at ${stack.temporalAddress}`,
        grants: workflowGrants.length,
        usedInBothPhases: workflowGrants.length <= Math.min(opts.events, 20_000),
        historyEventsBefore: historyBefore.reduce((a, b) => a + b, 0),
        historyEventsAddedByIngestion: eventsAdded,
        signalsSent: 0,
        note: 'access-tracking sends no accessed signals: ingestion costs Temporal nothing; each workflow asks latestAccess once per auto-lock period instead (npm run bench -- workday)',
      },
      latency: {
        rate: opts.rate,
        seconds: opts['latency-seconds'],
        events: lags.length,
        p50Ms: percentile(lags, 50),
        p99Ms: percentile(lags, 99),
        maxMs: percentile(lags, 100),
      },
      decisions: {
        ...decisions,
        servedByFastPath: servedFast,
        serverSideShareWithinMs: serverSide,
        floor,
        p99RatioToFloor: round(decisions.p99Ms / Math.max(floor.p99Ms, 1), 2),
        target: { requestsPerSecond: 5000, p99Ms: 2 },
        note: 'floor = a bare node:http server answering a fixed JSON body, loaded by the same autocannon settings in the same run: the latency the client and machine add by themselves',
      },
    };
    const file = write(results);
    console.log(readFileSync(file, 'utf8'));
    log(`results: ${file}`);
  } finally {
    await app?.close();
    await worker?.stop();
    await connection?.close();
    await producer.disconnect();
    if (!opts['keep-db']) await db.drop();
  }
}

async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map(
      (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
}

async function setGroupOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
  offsets: Map<number, number>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...offsets].map(([partition, offset]) => ({
        partition,
        offset: String(offset),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Reads up to `ends` with a bare consumer; time from joining the group to the last batch. */
async function rawConsume(
  kafka: Kafka,
  groupId: string,
  starts: Map<number, number>,
  ends: Map<number, number>,
): Promise<{ messages: number; ms: number }> {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 50,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.usage });
  let messages = 0;
  let first = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (first = Date.now()));
  let last = 0;
  const done = new Set<number>();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  for (const [p, end] of ends) if (end <= (starts.get(p) ?? 0)) done.add(p);
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const end = ends.get(batch.partition) ?? 0;
      for (const m of batch.messages) if (Number(m.offset) < end) messages++;
      if (Number(batch.lastOffset()) + 1 >= end) done.add(batch.partition);
      last = Date.now();
      if (done.size >= ends.size) finish();
    },
  });
  await finished;
  await consumer.disconnect();
  return { messages, ms: last - first };
}

/** Runs `fn` over `items`, `limit` at a time; results in input order. */
async function inParallel<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  progress?: (done: number) => void,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) {
        out[i] = await fn(items[i]);
        if (++done % 100 === 0 || done === items.length) progress?.(done);
      }
    }),
  );
  return out;
}

/** The workflow's history length once it has nothing in flight (no workflow task, no activity). */
async function settledHistoryLength(temporal: Client, grant: GrantRef): Promise<number> {
  const handle = temporal.workflow.getHandle(grantWorkflowId(grant));
  return waitFor(
    async () => {
      const d = await handle.describe();
      const busy = d.raw.pendingWorkflowTask || (d.raw.pendingActivities?.length ?? 0) > 0;
      return busy ? undefined : d.historyLength;
    },
    { timeoutMs: 120_000, intervalMs: 200, what: `grant ${grantWorkflowId(grant)} settled` },
  );
}
