import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { counter } from '@lapse/platform';
import type { JsonProducer } from './client';

interface Row {
  id: string;
  topic: string;
  key: string | null;
  value: unknown;
}

const published = counter('lapse_outbox_published_total', 'Outbox messages published to Kafka', [
  'schema',
  'topic',
]);

/**
 * Publishes a service's outbox to Kafka in id order and deletes what was sent, in one
 * transaction holding row locks (SKIP LOCKED: several replicas may relay at once).
 * At-least-once: a crash after send and before commit re-sends; consumers are idempotent.
 */
export class OutboxRelay {
  private readonly log = new Logger('outbox');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly schema: string,
    private readonly producer: JsonProducer,
    private readonly opts: { intervalMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.drain().then(
        () => undefined,
        (err: unknown) => this.log.error({ err }, 'outbox relay failed; will retry'),
      );
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
      for (const [topic, list] of byTopic) {
        await this.producer.send(
          topic,
          list.map((r) => ({ key: r.key, value: r.value })),
        );
        published.inc({ schema: this.schema, topic }, list.length);
      }
      await m.query(`DELETE FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
