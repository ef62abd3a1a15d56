import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { JsonProducer, KAFKA } from '@lapse/kafka';
import { HealthRegistry } from '@lapse/platform';
import { ACCESS_TRACKING_CONFIG, type AccessTrackingConfig } from '../config';
import { GrantProjection } from '../grants/grant-projection';
import { GrantStateConsumer } from '../grants/grant-state.consumer';
import { counter, histogram } from '@lapse/platform';
import { AccessSignaler, type AccessToSignal } from '../signals/access-signaler';
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
 * Ingests access.usage.v1 in batches: validate (rejects → DLQ with the reason), coalesce by
 * grant, one monotonic write, then resolve and commit offsets, then signal workflows.
 * A crash anywhere before the commit redelivers the batch; every step is idempotent.
 */
@Injectable()
export class UsageIngestor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('usage');
  private consumer?: Consumer;
  private running = false;
  private stopping = false;
  private readonly listeners: DurableListener[] = [];
  readonly stats = { accepted: 0, rejected: 0, batches: 0, rowsWritten: 0 };
  /** When the consumer last joined its group (epoch ms; 0 before). */
  joinedAt = 0;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly producer: JsonProducer,
    private readonly projection: GrantProjection,
    private readonly grantState: GrantStateConsumer,
    private readonly repo: LastAccessRepository,
    private readonly signaler: AccessSignaler,
    health: HealthRegistry,
  ) {
    health.register('usage-consumer', async () => {
      if (!this.running) throw new Error('usage consumer not running');
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

  private async start(): Promise<void> {
    if (this.consumer || this.stopping) return;
    this.consumer = this.kafka.consumer({
      groupId: this.config.LAPSE_USAGE_GROUP_ID,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.log.error(
        { err: payload.error },
        `usage consumer crashed (restart: ${payload.restart})`,
      );
      if (!payload.restart) this.running = false;
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joinedAt = Date.now()));
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: TOPICS.usage,
      fromBeginning: this.config.LAPSE_USAGE_FROM_BEGINNING,
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: 500,
      partitionsConsumedConcurrently: this.config.LAPSE_USAGE_CONCURRENCY,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.running = true;
    this.log.log(`ingesting ${TOPICS.usage} as group ${this.config.LAPSE_USAGE_GROUP_ID}`);
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const end = batchSeconds.startTimer();
    const now = Date.now();
    const accepted: AcceptedUsage[] = [];
    const rejects: { key: string | null; value: unknown }[] = [];
    const publishedAt: number[] = new Array(batch.messages.length);
    const isKnown = (key: string) => this.projection.has(key);
    for (let i = 0; i < batch.messages.length; i++) {
      const m = batch.messages[i];
      publishedAt[i] = Number(m.timestamp);
      const v = validateUsage(m.value, now, isKnown);
      if (v.ok) accepted.push(v.usage);
      else rejects.push({ key: m.key ? m.key.toString() : null, value: v.reject });
    }
    // Both effects are durable before the offsets move: DLQ (acks=all) and the monotonic write.
    const latest = coalesceByGrant(accepted);
    await Promise.all([
      rejects.length > 0 ? this.producer.send(TOPICS.usageDlq, rejects) : undefined,
      this.repo.recordLatest([...latest.values()]),
    ]);
    resolveOffset(batch.lastOffset());
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

    // Rule 2: accesses to a grant that is not ACTIVE are recorded but never unlock it.
    const toSignal: AccessToSignal[] = [];
    for (const u of latest.values())
      if (this.projection.get(u.key)?.state === 'ACTIVE') toSignal.push(u);
    this.signaler.offer(toSignal, durableAt);
    await heartbeat();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.running = false;
    // Disconnect lets the batch in hand finish and commits what was resolved.
    await this.consumer?.disconnect();
  }
}
