import { grantKey, type UsageEvent } from '@lapse/contracts';

/**
 * The uses forward-auth let through, waiting to be published, one per grant: a grant used a
 * thousand times between two flushes is one usage event, carrying the latest use. Flushing once
 * per window therefore publishes at most one event per grant per window. Pure (no I/O, no timers).
 */
export class UsageCoalescer {
  private pending = new Map<string, UsageEvent>();
  /** The latest use time per pending grant, in epoch ms (kept beside the ISO string). */
  private times = new Map<string, number>();

  get size(): number {
    return this.pending.size;
  }

  record(userId: string, resourceId: string, at: number, proxyId?: string): void {
    const key = grantKey({ userId, resourceId });
    const known = this.times.get(key);
    if (known !== undefined && known >= at) return;
    this.times.set(key, at);
    this.pending.set(key, {
      userId,
      resourceId,
      occurredAt: new Date(at).toISOString(),
      ...(proxyId ? { proxyId } : {}),
    });
  }

  /** Everything pending, emptied: the caller publishes it, or gives it back with `restore`. */
  take(): UsageEvent[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    this.times = new Map();
    return out;
  }

  /** Puts back events that could not be published; a later use recorded meanwhile is kept. */
  restore(events: readonly UsageEvent[]): void {
    for (const e of events)
      this.record(e.userId, e.resourceId, Date.parse(e.occurredAt), e.proxyId);
  }
}
