import type { DeadLetter } from '@lapse/kafka';
import type { AcceptedUsage } from './usage-validation';
import { RowTimes } from './row-times';

/** What one consumed batch of access.usage.v1 leaves to make durable. */
export interface ConsumedBatch {
  partition: number;
  /** The offset after the batch's last record: committed once the batch's effects are durable. */
  nextOffset: number;
  /**
   * Uses read by `scanUsualUsage` of grants the projection knows: their rows and times (epoch
   * ms), side by side. The row's key spells the ids as sent (lower-case UUIDs).
   */
  usualRows: number[];
  usualAts: number[];
  /** The other accepted uses (read by `validateUsage`). */
  accepted: AcceptedUsage[];
  /**
   * Per accepted use, its grant's row in the projection (-1 when the projection does not know
   * it yet): uses coalesce by row, a small integer being cheaper to hash than the key.
   */
  rows: number[];
  rejects: { key: string | null; value: DeadLetter }[];
  /** Each record's Kafka timestamp (epoch ms). */
  publishedAt: number[];
  /** When the consumer began handling the batch (epoch ms). */
  consumedAt: number;
}

/** One or more consumed batches, merged: one monotonic write and one dead-letter send. */
export interface PendingWrite {
  /** Latest access (epoch ms) per projection row of the usual uses over every merged batch. */
  latestByRow: RowTimes;
  /**
   * Latest access per grant (by row, or by key when it has none) of the other uses over every
   * merged batch (a grant may be in both maps: the write keeps the later time).
   */
  latest: Map<number | string, AcceptedUsage>;
  rejects: { key: string | null; value: DeadLetter }[];
  publishedAt: number[];
  /** Accepted uses merged, usual or not. */
  accepted: number;
  /** Grants of `latestByRow` the write left out: their access was already durable as late. */
  skipped: number;
  /** Consumed batches merged into this write. */
  batches: number;
  /** Per partition, the offset to commit once this write is durable. */
  offsets: Map<number, number>;
  /** When the oldest merged batch was consumed. */
  consumedAt: number;
}

export interface UsageWriterEffects {
  /** Makes a write's effects durable; retries transient failures itself, throws when giving up. */
  write: (w: PendingWrite) => Promise<void>;
  /** Commits the consumer group's offsets (partition → next offset). */
  commit: (offsets: Map<number, number>) => Promise<void>;
  /** Called once a write is durable and its offsets committed (or left for the next commit). */
  durable: (w: PendingWrite, durableAt: number) => void;
  commitFailed: (err: unknown) => void;
}

/**
 * Makes consumed usage durable behind the consumer, so the consumer fetches and validates the
 * next batches while Postgres writes the last ones: one write in flight; what is consumed
 * meanwhile is merged (coalesced per grant) into the next write, up to `maxPendingEvents`, past
 * which `add` waits for room. Offsets are committed only after the write holding their batch is
 * durable, in order, so a crash at any point redelivers what was not yet durable (each effect is
 * idempotent). A commit that fails (a rebalance) is retried with the next write's; committing an
 * offset whose batch is durable is safe whoever owns the partition by then.
 */
export class UsageWriter {
  private pending?: PendingWrite;
  private flushing?: Promise<void>;
  private readonly waitingForRoom: (() => void)[] = [];
  private readonly uncommitted = new Map<number, number>();
  private closed = false;

  constructor(
    private readonly effects: UsageWriterEffects,
    private readonly maxPendingEvents: number,
  ) {}

  /** Events handed over and not yet durable. */
  get pendingEvents(): number {
    return this.pending ? this.pending.accepted + this.pending.rejects.length : 0;
  }

  /**
   * Hands a batch over. Resolves once it is queued for the next write: at once, unless that
   * write is full, then when it starts. False when the writer is closed (nothing was queued).
   */
  async add(b: ConsumedBatch): Promise<boolean> {
    while (!this.closed && this.flushing && this.pendingEvents >= this.maxPendingEvents)
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    if (this.closed) return false;
    const p: PendingWrite = (this.pending ??= {
      latestByRow: new RowTimes(),
      latest: new Map(),
      rejects: [],
      publishedAt: [],
      accepted: 0,
      skipped: 0,
      batches: 0,
      offsets: new Map(),
      consumedAt: b.consumedAt,
    });
    const byRow = p.latestByRow;
    for (let i = 0; i < b.usualRows.length; i++) byRow.offer(b.usualRows[i], b.usualAts[i]);
    for (let i = 0; i < b.accepted.length; i++) {
      const u = b.accepted[i];
      let key: number | string = b.rows[i] >= 0 ? b.rows[i] : u.key;
      let seen = p.latest.get(key);
      // The same grant spelled otherwise (upper-case hex) is recorded under its own ids, as sent.
      if (seen && seen.key !== u.key) seen = p.latest.get((key = u.key));
      if (!seen || u.at > seen.at) p.latest.set(key, u);
    }
    p.accepted += b.usualRows.length + b.accepted.length;
    p.batches++;
    for (const r of b.rejects) p.rejects.push(r);
    for (const t of b.publishedAt) p.publishedAt.push(t);
    p.offsets.set(b.partition, Math.max(b.nextOffset, p.offsets.get(b.partition) ?? 0));
    this.flushing ??= this.flush();
    return true;
  }

  /** Writes until nothing is pending; a write that gives up drops what was pending (undurable). */
  private async flush(): Promise<void> {
    try {
      while (this.pending && !this.closed) {
        const w = this.pending;
        this.pending = undefined;
        for (const resolve of this.waitingForRoom.splice(0)) resolve();
        await this.effects.write(w);
        for (const [partition, offset] of w.offsets)
          this.uncommitted.set(partition, Math.max(offset, this.uncommitted.get(partition) ?? 0));
        await this.commit();
        this.effects.durable(w, Date.now());
      }
    } catch {
      // Only a closing writer gives up: what was not durable is not committed, so redelivered.
      this.pending = undefined;
    } finally {
      this.flushing = undefined;
      for (const resolve of this.waitingForRoom.splice(0)) resolve();
    }
  }

  private async commit(): Promise<void> {
    if (this.uncommitted.size === 0) return;
    const offsets = new Map(this.uncommitted);
    try {
      await this.effects.commit(offsets);
      for (const [partition, offset] of offsets)
        if (this.uncommitted.get(partition) === offset) this.uncommitted.delete(partition);
    } catch (err) {
      this.effects.commitFailed(err);
    }
  }

  /**
   * Finishes the write in flight and what is pending (a write that fails now gives up, see
   * `write`), commits, and refuses further batches.
   */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.closed = true;
    for (const resolve of this.waitingForRoom.splice(0)) resolve();
    await this.commit();
  }
}
