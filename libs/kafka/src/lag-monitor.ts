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

/** What the monitor reads of one partition at one poll. */
export interface PartitionReading {
  /** Log start (low watermark) and log end (high watermark). */
  low: number;
  end: number;
  /** The group's committed offset, or null when it has committed nothing on the partition. */
  committed: number | null;
}

/**
 * Where the group stands on each partition (the offset up to which it has processed), from one
 * poll. A committed offset counts (never below the log start: older records are gone). A
 * partition with no commit yet is where the group starts on it:
 * - `fromBeginning`: the log start, so every record there is still to do;
 * - otherwise the log end as it was when a member of the group first held it (`anchors`, kept
 *   until the first commit): records older than that the group will never read, so they are not
 *   lag, and records after it are until committed. With no member in the group, the position is
 *   unknown (null: the group's data cannot be vouched for) and the anchor is dropped, since a
 *   consumer that joins later starts at the log end of then.
 * `anchors` is updated in place.
 */
export function groupPositions(
  readings: ReadonlyMap<number, PartitionReading>,
  o: { fromBeginning: boolean; hasMembers: boolean; anchors: Map<number, number> },
): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const [p, r] of readings) {
    if (r.committed !== null && r.committed >= 0) {
      o.anchors.delete(p);
      out.set(p, Math.max(r.committed, r.low));
    } else if (o.fromBeginning) {
      out.set(p, r.low);
    } else if (!o.hasMembers) {
      o.anchors.delete(p);
      out.set(p, null);
    } else {
      if (!o.anchors.has(p)) o.anchors.set(p, r.end);
      out.set(p, o.anchors.get(p) ?? r.end);
    }
  }
  return out;
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
  /** Per partition without a commit (groups starting at the log end): where the group started. */
  private readonly anchors = new Map<number, number>();
  /** The poll in flight, if any (stop waits for it). */
  private polling?: Promise<void>;
  /** Epoch ms; 0 until the first observation is covered. */
  currentAsOf = 0;
  /** Records not yet committed at the last successful poll. */
  lag = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: {
      groupId: string;
      topic: string;
      intervalMs?: number;
      /** Where the group starts on a partition it never committed (as its consumer subscribes). */
      fromBeginning?: boolean;
    },
  ) {}

  /** Milliseconds the group's data may be behind now (Infinity before the first covered poll). */
  staleness(now = Date.now()): number {
    return this.currentAsOf === 0 ? Infinity : Math.max(0, now - this.currentAsOf);
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      this.polling = this.poll();
      await this.polling.catch((err: unknown) => {
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
    const fromBeginning = this.opts.fromBeginning ?? true;
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const [group] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const commits = new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const readings = new Map<number, PartitionReading>(
      offsets.map((o) => {
        const c = commits.get(o.partition);
        return [
          o.partition,
          {
            low: Number(o.low),
            end: Number(o.high),
            committed: c !== undefined && c >= 0 ? c : null,
          },
        ];
      }),
    );
    // Only a group that starts at the log end and lacks a commit needs to know its members.
    const uncommitted = [...readings.values()].some((r) => r.committed === null);
    const hasMembers =
      !fromBeginning && uncommitted
        ? ((await this.admin.describeGroups([groupId])).groups[0]?.members.length ?? 0) > 0
        : true;
    const positions = groupPositions(readings, {
      fromBeginning,
      hasMembers,
      anchors: this.anchors,
    });
    const ends = new Map([...readings].map(([p, r]) => [p, r.end]));
    // An unknown position covers nothing.
    const committed = new Map([...positions].map(([p, c]) => [p, c ?? -1]));
    this.observations.push({ at: now, ends });
    const at = coveredUntil(this.observations, committed);
    if (at !== null) {
      this.currentAsOf = Math.max(this.currentAsOf, at);
      this.observations = this.observations.filter((o) => o.at > at);
    }
    if (this.observations.length > 600) this.observations.shift();
    let lag = 0;
    for (const [p, r] of readings) lag += Math.max(0, r.end - (positions.get(p) ?? r.low));
    this.lag = lag;
  }

  private publish(): void {
    const labels = { group: this.opts.groupId, topic: this.opts.topic };
    lagRecords.set(labels, this.lag);
    const s = this.staleness();
    lagSeconds.set(labels, Number.isFinite(s) ? s / 1000 : -1);
  }

  /**
   * Stops polling and disconnects. A poll still connecting is awaited first: disconnecting under
   * it would let its connection open afterwards and keep the process alive.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
