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
import { LastAccessRepository, type CompactLastAccess } from './last-access.repository';
import { latestAcceptedAt, validateUsage, type AcceptedUsage } from './usage-validation';
import { UsageWriter, type PendingWrite } from './usage-writer';
import { scanUsualUsage, type UsualUsage } from './usual-usage';
import { DurableAccess } from './durable-access';

const events = counter('lapse_usage_events_total', 'Usage events consumed by outcome', ['outcome']);
const batchSeconds = histogram(
  'lapse_usage_batch_seconds',
  'From a batch being consumed to its effects durable and its offset committed',
  [],
  [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
);
const lagSeconds = histogram(
  'lapse_usage_durable_lag_seconds',
  'From the event being published (Kafka timestamp) to its access being durable in Postgres',
  [],
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
);

/**
 * Writers, each for the partitions of its parity: two statements may run at once (the grants of
 * two partitions never overlap), so Postgres can use a second core while the consumer validates.
 */
const WRITERS = 2;

/** Observes every durable batch (benchmarks measure publish → durable with it). */
export type DurableListener = (batch: { publishedAt: number[]; durableAt: number }) => void;

/**
 * Ingests access.usage.v1 in batches: validate each record on its own (rejects → DLQ with the
 * reason, depth-safe and cut to size, in byte-bounded produce calls), coalesce by grant, one
 * monotonic write, then commit offsets. The write runs behind the consumer (UsageWriter): while
 * Postgres writes what was consumed, the consumer fetches and validates the next batches, which
 * are merged into the next write. Workflows are not signalled: each asks `latestAccess` (served
 * from the same table) when its auto-lock falls due. Offsets are committed only once the batch is
 * durable (the consumer runs without auto-commit), so a crash anywhere before the commit
 * redelivers the batch; every step is idempotent. A failed write (Postgres down) or DLQ send
 * (broker down) retries in place with backoff; a consumer that stops is restarted by its
 * SupervisedConsumer (rule 15).
 */
@Injectable()
export class UsageIngestor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('usage');
  private consumer?: SupervisedConsumer;
  private stopping = false;
  /** Per partition, the next offset not yet handed to the writer by this instance. */
  private readonly handedOff = new Map<number, number>();
  private readonly listeners: DurableListener[] = [];
  /** scanUsualUsage's output, reused for every event. */
  private readonly usual: UsualUsage = { compact: '', at: 0 };
  private readonly durableAccess = new DurableAccess();
  private readonly writers: UsageWriter[];
  /** The latest batch's heartbeat: the writer keeps the group membership while it retries. */
  private heartbeat: () => Promise<void> = async () => undefined;
  /** Counted once durable; a write holds one or more consumed batches. */
  readonly stats = {
    accepted: 0,
    rejected: 0,
    batches: 0,
    writes: 0,
    rowsWritten: 0,
    /** Grants left out of a write: their access was already durable as late. */
    rowsSkipped: 0,
  };
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
    this.writers = Array.from(
      { length: WRITERS },
      () =>
        new UsageWriter(
          {
            write: (w) => this.write(w),
            commit: async (offsets) => {
              if (!this.consumer) throw new Error('usage consumer not started');
              await this.consumer.commit(offsets);
            },
            durable: (w, durableAt) => this.durable(w, durableAt),
            commitFailed: (err) =>
              this.log.warn({
                err,
                msg: 'committing usage offsets failed; the next write retries',
              }),
          },
          config.LAPSE_USAGE_MAX_PENDING_EVENTS,
        ),
    );
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
        // The writer commits once a batch is durable; resolving an offset only moves the fetch.
        autoCommit: false,
        eachBatchAutoResolve: false,
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
    pause,
  }: EachBatchPayload): Promise<void> {
    // Stopping: not handed over, not committed, so redelivered to whoever consumes next; the
    // partition is paused so the consumer does not fetch it again while the writer finishes.
    if (this.stopping) {
      pause();
      return;
    }
    this.heartbeat = heartbeat;
    const consumedAt = Date.now();
    // kafkajs hands a batch again after a rejoin (it fetches from the committed offset): what
    // this instance already handed to the writer is skipped, so no dead letter repeats; the
    // writer commits the skipped offsets again once they are durable.
    const from = this.handedOff.get(batch.partition) ?? -1;
    const messages =
      from < 0 || Number(batch.firstOffset() ?? from) >= from
        ? batch.messages
        : batch.messages.filter((m) => Number(m.offset) >= from);
    const nextOffset = Math.max(Number(batch.lastOffset()) + 1, from);
    const usualRows: number[] = [];
    const usualAts: number[] = [];
    const latestAllowed = latestAcceptedAt(consumedAt);
    const usual = this.usual;
    const accepted: AcceptedUsage[] = [];
    const rejects: { key: string | null; value: DeadLetter }[] = [];
    const publishedAt: number[] = new Array(messages.length);
    // Rule 2 rejects events for unknown grants, but only a current projection knows which are
    // unknown: while it lags (a new grant not read yet), an event is recorded, not dead-lettered.
    const current = this.projection.current;
    // validateUsage asks isKnown once, last, for an event otherwise valid: `row` is then its grant's.
    let row = -1;
    const isKnown = (key: string) => {
      row = this.projection.rowOf(key);
      return row >= 0 || !current;
    };
    const rows: number[] = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      publishedAt[i] = Number(m.timestamp);
      // The usual event of a grant the projection knows, read from its bytes; anything else
      // (and every reject) goes through validateUsage, which names what is wrong.
      if (scanUsualUsage(m.value, usual) && usual.at <= latestAllowed) {
        const known = this.projection.rowOfCompact(usual.compact);
        if (known >= 0) {
          usualRows.push(known);
          usualAts.push(usual.at);
          continue;
        }
      }
      const v = validateUsage(m.value, consumedAt, isKnown);
      if (v.ok) {
        accepted.push(v.usage);
        rows.push(row);
      } else {
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
    const queued = await this.writers[batch.partition % WRITERS].add({
      partition: batch.partition,
      nextOffset,
      usualRows,
      usualAts,
      accepted,
      rows,
      rejects,
      publishedAt,
      consumedAt,
    });
    if (!queued) {
      pause();
      return;
    }
    // Moves the fetch position only (no auto-commit): the next batch is fetched meanwhile.
    if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
    this.handedOff.set(batch.partition, nextOffset);
    await heartbeat();
  }

  /** Both effects are durable before the offsets move: DLQ (acks=all) and the monotonic write. */
  private async write(w: PendingWrite): Promise<void> {
    const byKey = this.compactRows(w);
    // Each effect retries on its own: a failed write never re-sends the dead letters.
    await Promise.all([
      w.rejects.length > 0
        ? this.untilDone('sending dead letters', () =>
            sendDeadLetters(this.producer, TOPICS.usageDlq, w.rejects),
          )
        : undefined,
      this.untilDone('writing last access', () =>
        this.repo.recordLatest([...w.latest.values()], byKey),
      ),
    ]);
  }

  /**
   * The usual uses' grants as the repository takes them (32 key bytes and a time each), but those
   * whose access is already durable as late (`skipped`).
   */
  private compactRows(w: PendingWrite): CompactLastAccess {
    const keys = Buffer.allocUnsafe(w.latestByRow.size * 32);
    const ats: number[] = [];
    const byRow = w.latestByRow;
    for (let i = 0; i < byRow.size; i++) {
      const row = byRow.row(i);
      const at = byRow.time(i);
      if (at <= this.durableAccess.of(row)) continue;
      keys.write(this.projection.compactKeyOf(row), ats.length * 32, 32, 'latin1');
      ats.push(at);
    }
    w.skipped = w.latestByRow.size - ats.length;
    return { keys: keys.subarray(0, ats.length * 32), ats };
  }

  private durable(w: PendingWrite, durableAt: number): void {
    countDeadLetters(TOPICS.usage, w.rejects.length);
    this.stats.accepted += w.accepted;
    this.stats.rejected += w.rejects.length;
    this.stats.batches += w.batches;
    this.stats.writes++;
    this.stats.rowsWritten += w.latestByRow.size - w.skipped + w.latest.size;
    this.stats.rowsSkipped += w.skipped;
    for (let i = 0; i < w.latestByRow.size; i++)
      this.durableAccess.record(w.latestByRow.row(i), w.latestByRow.time(i));
    events.inc({ outcome: 'accepted' }, w.accepted);
    if (w.rejects.length > 0) events.inc({ outcome: 'rejected' }, w.rejects.length);
    for (const p of w.publishedAt) lagSeconds.observe((durableAt - p) / 1000);
    batchSeconds.observe((durableAt - w.consumedAt) / 1000);
    for (const l of this.listeners) l({ publishedAt: w.publishedAt, durableAt });
  }

  /**
   * Retries a transient failure (Postgres or the broker down) in place with backoff, heartbeating,
   * so the batch is neither lost nor skipped; gives up only when the service stops (the batch is
   * then redelivered). Both effects are idempotent, so repeating a half-done attempt is safe.
   */
  private async untilDone(what: string, fn: () => Promise<unknown>): Promise<void> {
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
          await this.heartbeat().catch(() => undefined);
        }
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // What was handed to the writer is written (or, if a write fails now, left uncommitted) and
    // committed while the consumer still runs; then the consumer leaves the group.
    await Promise.all(this.writers.map((w) => w.close()));
    await this.consumer?.stop();
  }
}
