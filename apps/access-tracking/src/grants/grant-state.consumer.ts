import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { TOPICS, grantStateEventSchema } from '@lapse/contracts';
import { KAFKA, withKafkaRetry } from '@lapse/kafka';
import { counter, gauge } from '@lapse/platform';
import { ACCESS_TRACKING_CONFIG, type AccessTrackingConfig } from '../config';
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
 */
@Injectable()
export class GrantStateConsumer
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly log = new Logger('grant-state');
  private consumer?: Consumer;
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
  ) {}

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    for (const g of await this.repo.loadAll()) this.projection.apply(g);
    size.set(this.projection.size);
    this.log.log(
      `projection warmed with ${this.projection.size} grants in ${Date.now() - started} ms`,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const groupId = this.config.LAPSE_GRANT_STATE_GROUP_ID;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
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
    } finally {
      await admin.disconnect();
    }
    this.checkCaughtUp();
    const timer = setTimeout(() => {
      this.log.warn(
        `projection not caught up after ${this.config.LAPSE_PROJECTION_CATCHUP_MS} ms: ingesting anyway`,
      );
      this.markCaughtUp();
    }, this.config.LAPSE_PROJECTION_CATCHUP_MS);
    timer.unref();
    void this.caughtUp.then(() => clearTimeout(timer));

    this.consumer = this.kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.grantState, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: 1000,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
        const parsed: ProjectedGrant[] = [];
        for (const m of batch.messages) {
          const r = m.value ? safeJson(m.value.toString()) : undefined;
          const e = grantStateEventSchema.safeParse(r);
          if (e.success) parsed.push(toProjectedGrant(e.data));
          else records.inc({ outcome: 'invalid' });
        }
        const latest = [...latestPerGrant(parsed).values()];
        await this.repo.upsert(latest);
        for (const g of latest) this.projection.apply(g);
        records.inc({ outcome: 'applied' }, parsed.length);
        size.set(this.projection.size);
        resolveOffset(batch.lastOffset());
        this.positions.set(batch.partition, Number(batch.lastOffset()) + 1);
        this.checkCaughtUp();
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  private checkCaughtUp(): void {
    if (caughtUp(this.ends, this.positions)) this.markCaughtUp();
  }

  async onApplicationShutdown(): Promise<void> {
    this.markCaughtUp();
    await this.consumer?.disconnect();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
