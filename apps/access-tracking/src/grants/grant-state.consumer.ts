import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { TOPICS, grantStateEventSchema } from '@lapse/contracts';
import {
  JsonProducer,
  KAFKA,
  SupervisedConsumer,
  countDeadLetters,
  deadLetter,
  parseRecord,
  sendDeadLetters,
  withKafkaRetry,
  type DeadLetter,
} from '@lapse/kafka';
import { HealthRegistry, counter, gauge } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { caughtUp, startPositions } from '../kafka/catch-up';
import {
  GrantProjection,
  latestPerGrant,
  toProjectedGrant,
  type ProjectedGrant,
} from './grant-projection';
import { GrantStateRepository } from './grant-state.repository';

const records = counter('lapse_grant_state_records_total', 'grants.state.v1 records consumed', [
  'outcome',
]);
const size = gauge('lapse_grant_projection_size', 'Grants in the in-memory projection');

/**
 * Consumes grants.state.v1 (compacted, one record per grant) into the projection: Postgres
 * first, then memory, then the offsets. Warms memory from Postgres before the app listens.
 * An invalid record goes to grants.state.v1.dlq; a failed write retries in place; the consumer
 * is restarted with backoff when it stops (rule 15). Boot does not wait for Kafka: decisions
 * answer from the warmed projection meanwhile.
 */
@Injectable()
export class GrantStateConsumer
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly log = new Logger('grant-state');
  private consumer?: SupervisedConsumer;
  private stopping = false;
  private loaded = false;
  private ends = new Map<number, number>();
  private positions = new Map<number, number>();
  private markCaughtUp: () => void = () => undefined;
  /** Resolves once the projection has read grants.state.v1 up to where it ended at start. */
  readonly caughtUp: Promise<void> = new Promise((resolve) => (this.markCaughtUp = resolve));

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly repo: GrantStateRepository,
    private readonly projection: GrantProjection,
    private readonly producer: JsonProducer,
    health: HealthRegistry,
  ) {
    // Decisions answer from the projection: ready once it is loaded, whatever else is down
    // (the other checks show in /health/ready without failing it; decisions say `stale`).
    health.register('projection', async () => {
      if (!this.loaded) throw new Error('grant-state projection not loaded yet');
    });
    health.notRequiredForReadiness(
      'kafka',
      'temporal',
      'temporal-worker',
      'postgres',
      'usage-consumer',
      'grant-state-consumer',
    );
    health.register('grant-state-consumer', async () => {
      if (!this.consumer?.running)
        throw new Error(
          `grant-state consumer ${this.consumer?.state ?? 'starting'}${this.consumer?.lastError ? `: ${this.consumer.lastError}` : ''}`,
        );
    });
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    for (const g of await this.repo.loadAll()) this.projection.apply(g);
    size.set(this.projection.size);
    this.loaded = true;
    this.log.log(
      `projection warmed with ${this.projection.size} grants in ${Date.now() - started} ms`,
    );
  }

  onApplicationBootstrap(): void {
    const timer = setTimeout(() => {
      this.log.warn(
        `projection not caught up after ${this.config.LAPSE_PROJECTION_CATCHUP_MS} ms: ingesting anyway`,
      );
      this.markCaughtUp();
    }, this.config.LAPSE_PROJECTION_CATCHUP_MS);
    timer.unref();
    void this.caughtUp.then(() => clearTimeout(timer));
    void this.readStartPositions().then(() => this.startConsumer());
  }

  /** Where the topic ends now: "caught up" means read to there. Waits for Kafka, retrying. */
  private async readStartPositions(): Promise<void> {
    const groupId = this.config.LAPSE_GRANT_STATE_GROUP_ID;
    for (let delay = 500; !this.stopping; delay = Math.min(delay * 2, 10_000)) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        const [offsets, committed] = await withKafkaRetry('reading grants.state.v1 offsets', () =>
          Promise.all([
            admin.fetchTopicOffsets(TOPICS.grantState),
            admin.fetchOffsets({ groupId, topics: [TOPICS.grantState] }),
          ]),
        );
        ({ ends: this.ends, positions: this.positions } = startPositions(
          offsets,
          committed[0]?.partitions ?? [],
        ));
        this.checkCaughtUp();
        return;
      } catch (err) {
        this.log.warn({ err, msg: `cannot read grants.state.v1 offsets; retrying in ${delay} ms` });
        await new Promise((r) => setTimeout(r, delay));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }

  private startConsumer(): void {
    if (this.stopping) return;
    this.consumer = new SupervisedConsumer(this.kafka, {
      name: 'grant-state-consumer',
      groupId: this.config.LAPSE_GRANT_STATE_GROUP_ID,
      topic: TOPICS.grantState,
      fromBeginning: true,
      consumer: { maxWaitTimeInMs: 100, allowAutoTopicCreation: false },
      run: { eachBatchAutoResolve: false, autoCommitInterval: 1000 },
      handler: { eachBatch: (payload) => this.handleBatch(payload) },
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
    const parsed: ProjectedGrant[] = [];
    const rejects: { key: string | null; value: DeadLetter }[] = [];
    for (const m of batch.messages) {
      if (m.value === null) continue; // a compaction tombstone: nothing to apply
      const r = parseRecord(grantStateEventSchema, m.value, 16 * 1024);
      if (r.ok) parsed.push(toProjectedGrant(r.value));
      else {
        const source = {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          group: this.config.LAPSE_GRANT_STATE_GROUP_ID,
        };
        rejects.push({
          key: m.key ? m.key.toString() : null,
          value: deadLetter(r.error, m.value, source, r.parsed),
        });
      }
    }
    const latest = [...latestPerGrant(parsed).values()];
    for (let delay = 200; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        await Promise.all([
          this.repo.upsert(latest),
          rejects.length > 0
            ? sendDeadLetters(this.producer, TOPICS.grantStateDlq, rejects)
            : undefined,
        ]);
        break;
      } catch (err) {
        if (this.stopping) throw err;
        this.log.warn({ err, msg: `writing the projection failed; retrying in ${delay} ms` });
        await new Promise((r) => setTimeout(r, delay));
        await heartbeat().catch(() => undefined);
      }
    }
    for (const g of latest) this.projection.apply(g);
    records.inc({ outcome: 'applied' }, parsed.length);
    if (rejects.length > 0) records.inc({ outcome: 'dead_lettered' }, rejects.length);
    countDeadLetters(TOPICS.grantState, rejects.length);
    size.set(this.projection.size);
    resolveOffset(batch.lastOffset());
    this.positions.set(batch.partition, Number(batch.lastOffset()) + 1);
    this.checkCaughtUp();
    await commitOffsetsIfNecessary();
    await heartbeat();
  }

  private checkCaughtUp(): void {
    if (caughtUp(this.ends, this.positions)) this.markCaughtUp();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.markCaughtUp();
    await this.consumer?.stop();
  }
}
