import { Logger } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { gauge } from '@lapse/platform';

const lagRecords = gauge(
  'lapse_consumer_lag_records',
  'Records in the topic not yet committed by the consumer group (log end minus committed, summed over partitions)',
  ['group', 'topic'],
);
const lagSeconds = gauge(
  'lapse_consumer_lag_seconds',
  'How far behind the consumer group is: now minus the last time its committed offsets covered the whole log',
  ['group', 'topic'],
);

/** One observation of the log end offsets, per partition. */
export interface LogEnds {
  at: number;
  ends: Map<number, number>;
}

/**
 * The latest time `t` such that the group has committed every record that was in the topic at
 * `t` (observations are the log ends seen at those times, oldest first); null if none is covered.
 */
export function coveredUntil(
  observations: readonly LogEnds[],
  committed: ReadonlyMap<number, number>,
): number | null {
  for (let i = observations.length - 1; i >= 0; i--) {
    const o = observations[i];
    let covered = true;
    for (const [partition, end] of o.ends) {
      if ((committed.get(partition) ?? -1) < end) {
        covered = false;
        break;
      }
    }
    if (covered) return o.at;
  }
  return null;
}

/**
 * Watches one consumer group's progress on one topic from the outside (committed offsets against
 * the log end, per partition), so every replica knows how current the group's data is, whichever
 * replica consumes which partition. `currentAsOf`: every record published before it has been
 * processed and committed. Kafka unreachable = no progress: the data ages until it is back.
 */
export class ConsumerLagMonitor {
  private readonly log = new Logger('lag');
  private admin?: Admin;
  private connected = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private observations: LogEnds[] = [];
  /** Epoch ms; 0 until the first observation is covered. */
  currentAsOf = 0;
  /** Records not yet committed at the last successful poll. */
  lag = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: { groupId: string; topic: string; intervalMs?: number },
  ) {}

  /** Milliseconds the group's data may be behind now (Infinity before the first covered poll). */
  staleness(now = Date.now()): number {
    return this.currentAsOf === 0 ? Infinity : Math.max(0, now - this.currentAsOf);
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.poll().catch((err: unknown) => {
        this.connected = false;
        void this.admin?.disconnect().catch(() => undefined);
        this.admin = undefined;
        this.log.debug({ err, msg: `lag of ${this.opts.groupId} unknown` });
      });
      this.publish();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.opts.intervalMs ?? 1000);
    };
    void tick();
  }

  /** Reads the log ends, then the committed offsets (in that order: ends seen are covered by what is committed after). */
  async poll(now = Date.now()): Promise<void> {
    if (!this.admin || !this.connected) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
      this.connected = true;
    }
    const { groupId, topic } = this.opts;
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const [group] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const low = new Map(offsets.map((o) => [o.partition, Number(o.low)]));
    const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    // No commit yet on a partition: its position is where the group would start (low watermark).
    const committed = new Map(
      (group?.partitions ?? []).map((p) => {
        const c = Number(p.offset);
        return [p.partition, c >= 0 ? c : (low.get(p.partition) ?? 0)];
      }),
    );
    for (const [p, l] of low) if (!committed.has(p)) committed.set(p, l);
    this.observations.push({ at: now, ends });
    const at = coveredUntil(this.observations, committed);
    if (at !== null) {
      this.currentAsOf = Math.max(this.currentAsOf, at);
      this.observations = this.observations.filter((o) => o.at > at);
    }
    if (this.observations.length > 600) this.observations.shift();
    let lag = 0;
    for (const [p, end] of ends) lag += Math.max(0, end - (committed.get(p) ?? 0));
    this.lag = lag;
  }

  private publish(): void {
    const labels = { group: this.opts.groupId, topic: this.opts.topic };
    lagRecords.set(labels, this.lag);
    const s = this.staleness();
    lagSeconds.set(labels, Number.isFinite(s) ? s / 1000 : -1);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
