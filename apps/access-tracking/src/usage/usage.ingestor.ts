import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import {
  JsonProducer,
  KAFKA,
  SupervisedConsumer,
  countDeadLetters,
  deadLetter,
  sendDeadLetters,
  type DeadLetter,
} from '@lapse/kafka';
import { HealthRegistry } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { GrantProjection } from '../grants/grant-projection';
import { GrantStateConsumer } from '../grants/grant-state.consumer';
import { counter, histogram } from '@lapse/platform';
import { LastAccessRepository } from './last-access.repository';
import { coalesceByGrant, validateUsage, type AcceptedUsage } from './usage-validation';

const events = counter('lapse_usage_events_total', 'Usage events consumed by outcome', ['outcome']);
const batchSeconds = histogram(
  'lapse_usage_batch_seconds',
  'Time to validate, write and commit one batch',
  [],
  [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
);
const lagSeconds = histogram(
  'lapse_usage_durable_lag_seconds',
  'From the event being published (Kafka timestamp) to its access being durable in Postgres',
  [],
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
);

/** Observes every durable batch (benchmarks measure publish → durable with it). */
export type DurableListener = (batch: { publishedAt: number[]; durableAt: number }) => void;

/**
 * Ingests access.usage.v1 in batches: validate each record on its own (rejects → DLQ with the
 * reason, depth-safe and cut to size, in byte-bounded produce calls), coalesce by grant, one
 * monotonic write, then resolve and commit offsets. Workflows are not signalled: each asks
 * `latestAccess` (served from the same table) when its auto-lock falls due. A crash anywhere
 * before the commit redelivers the batch; every step is idempotent. A failed write (Postgres
 * down) or DLQ send (broker down) retries in place with backoff; a consumer that stops is
 * restarted by its SupervisedConsumer (rule 15).
 */
@Injectable()
export class UsageIngestor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('usage');
  private consumer?: SupervisedConsumer;
  private stopping = false;
  /** Per partition, the next offset not yet made durable by this instance. */
  private readonly nextOffset = new Map<number, number>();
  private readonly listeners: DurableListener[] = [];
  readonly stats = { accepted: 0, rejected: 0, batches: 0, rowsWritten: 0 };
  /** When the consumer last joined its group (epoch ms; 0 before). */
  get joinedAt(): number {
    return this.consumer?.joinedAt ?? 0;
  }

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly producer: JsonProducer,
    private readonly projection: GrantProjection,
    private readonly grantState: GrantStateConsumer,
    private readonly repo: LastAccessRepository,
    health: HealthRegistry,
  ) {
    health.register('usage-consumer', async () => {
      if (!this.consumer?.running)
        throw new Error(
          `usage consumer ${this.consumer?.state ?? 'waiting for the projection'}${this.consumer?.lastError ? `: ${this.consumer.lastError}` : ''}`,
        );
    });
  }

  onDurable(listener: DurableListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    // Ingest only once the projection knows the grants that existed at start (else their events
    // would be rejected as unknown). Boot does not wait: /health reports the consumer meanwhile.
    void this.grantState.caughtUp
      .then(() => this.start())
      .catch((err: unknown) => this.log.error({ err }, 'usage consumer failed to start'));
  }

  private start(): void {
    if (this.consumer || this.stopping) return;
    this.consumer = new SupervisedConsumer(this.kafka, {
      name: 'usage-consumer',
      groupId: this.config.LAPSE_USAGE_GROUP_ID,
      topic: TOPICS.usage,
      fromBeginning: this.config.LAPSE_USAGE_FROM_BEGINNING,
      consumer: {
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: 50,
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxBytes: 32 * 1024 * 1024,
      },
      run: {
        eachBatchAutoResolve: false,
        autoCommitInterval: 500,
        partitionsConsumedConcurrently: this.config.LAPSE_USAGE_CONCURRENCY,
      },
      handler: {
        eachBatch: (payload) => this.handleBatch(payload),
      },
      monitorLag: false, // IngestionFreshness watches this group every second
    });
    this.consumer.start();
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    // kafkajs may hand a batch again (a prefetch raced the last resolve, a rejoin before the
    // commit): what this instance already made durable is skipped, so no dead letter repeats.
    const from = this.nextOffset.get(batch.partition) ?? -1;
    const messages = batch.messages.filter((m) => Number(m.offset) >= from);
    if (messages.length === 0) {
      if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
      return;
    }
    const end = batchSeconds.startTimer();
    const now = Date.now();
    const accepted: AcceptedUsage[] = [];
    const rejects: { key: string | null; value: DeadLetter }[] = [];
    const publishedAt: number[] = new Array(messages.length);
    // Rule 2 rejects events for unknown grants, but only a current projection knows which are
    // unknown: while it lags (a new grant not read yet), an event is recorded, not dead-lettered.
    const current = this.projection.current;
    const isKnown = (key: string) => this.projection.has(key) || !current;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      publishedAt[i] = Number(m.timestamp);
      const v = validateUsage(m.value, now, isKnown);
      if (v.ok) accepted.push(v.usage);
      else {
        const { error, original } = v.reject;
        // Text (not JSON, or too large to parse) is copied from the raw bytes, cut to size.
        const parsed = typeof original === 'string' ? undefined : original;
        const source = {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          group: this.config.LAPSE_USAGE_GROUP_ID,
        };
        rejects.push({
          key: m.key ? m.key.toString() : null,
          value: deadLetter(error, m.value, source, parsed),
        });
      }
    }
    // Both effects are durable before the offsets move: DLQ (acks=all) and the monotonic write.
    const latest = coalesceByGrant(accepted);
    // Each effect retries on its own: a failed write never re-sends the dead letters.
    await Promise.all([
      rejects.length > 0
        ? this.untilDone('sending dead letters', heartbeat, () =>
            sendDeadLetters(this.producer, TOPICS.usageDlq, rejects),
          )
        : undefined,
      this.untilDone('writing last access', heartbeat, () =>
        this.repo.recordLatest([...latest.values()]),
      ),
    ]);
    countDeadLetters(TOPICS.usage, rejects.length);
    resolveOffset(batch.lastOffset());
    this.nextOffset.set(batch.partition, Number(batch.lastOffset()) + 1);
    await commitOffsetsIfNecessary();

    const durableAt = Date.now();
    this.stats.accepted += accepted.length;
    this.stats.rejected += rejects.length;
    this.stats.batches++;
    this.stats.rowsWritten += latest.size;
    events.inc({ outcome: 'accepted' }, accepted.length);
    if (rejects.length > 0) events.inc({ outcome: 'rejected' }, rejects.length);
    for (const p of publishedAt) lagSeconds.observe((durableAt - p) / 1000);
    for (const l of this.listeners) l({ publishedAt, durableAt });
    end();

    await heartbeat();
  }

  /**
   * Retries a transient failure (Postgres or the broker down) in place with backoff, heartbeating,
   * so the batch is neither lost nor skipped; gives up only when the service stops (the batch is
   * then redelivered). Both effects are idempotent, so repeating a half-done attempt is safe.
   */
  private async untilDone(
    what: string,
    heartbeat: () => Promise<void>,
    fn: () => Promise<unknown>,
  ): Promise<void> {
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        if (this.stopping) throw err;
        this.log.warn({ err, attempt, msg: `${what} failed; retrying in ${delay} ms` });
        const until = Date.now() + delay;
        while (Date.now() < until && !this.stopping) {
          await new Promise((r) => setTimeout(r, Math.min(3000, until - Date.now())));
          await heartbeat().catch(() => undefined);
        }
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Stop lets the batch in hand finish and commits what was resolved.
    await this.consumer?.stop();
  }
}
