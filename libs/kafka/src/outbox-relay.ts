import {
  Logger,
  type FactoryProvider,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { counter, gauge } from '@lapse/platform';
import { JsonProducer } from './client';
import { chunkByBytes } from './dead-letter';

interface Row {
  id: string;
  topic: string;
  key: string | null;
  value: unknown;
}

/** One produce call carries at most this many bytes of values (brokers refuse more than 1 MB). */
export const MAX_OUTBOX_BATCH_BYTES = 512 * 1024;

const published = counter('lapse_outbox_published_total', 'Outbox messages published to Kafka', [
  'schema',
  'topic',
]);

const depth = gauge('lapse_outbox_depth', 'Outbox rows waiting to be published', ['schema']);
const oldestAge = gauge(
  'lapse_outbox_oldest_age_seconds',
  'Age of the oldest outbox row waiting to be published (0 when empty)',
  ['schema'],
);

/**
 * Publishes a service's outbox to Kafka in id order and deletes what was sent, in one
 * transaction holding row locks (SKIP LOCKED: several replicas may relay at once).
 * At-least-once: a crash after send and before commit re-sends; consumers are idempotent.
 */
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('outbox');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private measuredAt = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly schema: string,
    private readonly producer: JsonProducer,
    private readonly opts: { intervalMs?: number; batchSize?: number; maxBatchBytes?: number } = {},
  ) {}

  /** As a provider (`outboxRelayProvider`): relays from boot on. */
  onApplicationBootstrap(): void {
    this.start();
  }

  /** As a provider: stops relaying once the batch in hand is sent. */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.drain()
        .then(
          () => undefined,
          (err: unknown) => this.log.error({ err }, 'outbox relay failed; will retry'),
        )
        .then(() => this.measure());
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.opts.intervalMs ?? 200);
    };
    void loop();
  }

  /** Publishes until the outbox is empty; returns how many messages were sent. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n === 0) return total;
    }
  }

  private async publishBatch(): Promise<number> {
    return this.ds.transaction(async (m) => {
      const rows: Row[] = await m.query(
        `SELECT id, topic, key, value FROM "${this.schema}".outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.opts.batchSize ?? 500],
      );
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, Row[]>();
      for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
      const maxBytes = this.opts.maxBatchBytes ?? MAX_OUTBOX_BATCH_BYTES;
      for (const [topic, list] of byTopic) {
        const size = (r: Row) => Buffer.byteLength(JSON.stringify(r.value)) + (r.key?.length ?? 0);
        for (const chunk of chunkByBytes(list, size, maxBytes)) {
          await this.producer.send(
            topic,
            chunk.map((r) => ({ key: r.key, value: r.value })),
          );
          published.inc({ schema: this.schema, topic }, chunk.length);
        }
      }
      await m.query(`DELETE FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  /** Depth and oldest age of the outbox, at most every 5 s (the alerts watch them). */
  private async measure(): Promise<void> {
    if (Date.now() - this.measuredAt < 5000) return;
    this.measuredAt = Date.now();
    try {
      const [row] = (await this.ds.query(
        `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age FROM "${this.schema}".outbox`,
      )) as { n: number; age: number }[];
      depth.set({ schema: this.schema }, row.n);
      oldestAge.set({ schema: this.schema }, row.age);
    } catch {
      // Postgres down: the relay logs it already; the gauges keep their last values.
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * The outbox relay of a service's `schema`, as a provider of its app module: a reader finds the
 * service's background loops there. It starts with the app and stops on shutdown.
 */
export function outboxRelayProvider(schema: string): FactoryProvider<OutboxRelay> {
  return {
    provide: OutboxRelay,
    inject: [DataSource, JsonProducer],
    useFactory: (ds: DataSource, producer: JsonProducer) => new OutboxRelay(ds, schema, producer),
  };
}
