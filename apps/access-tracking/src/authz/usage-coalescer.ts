import { grantKey, type UsageEvent } from '@lapse/contracts';

/** A grant's latest use, kept until it is published (the event is built then). */
interface PendingUse {
  userId: string;
  resourceId: string;
  /** Epoch ms. */
  at: number;
  proxyId?: string;
}

/**
 * The uses forward-auth let through, waiting to be published, one per grant: a grant used a
 * thousand times between two flushes is one usage event, carrying the latest use. Flushing once
 * per window therefore publishes at most one event per grant per window. A use is recorded on
 * every allowed request, so recording only moves a time forward; the event is built by `take`.
 * Pure (no I/O, no timers).
 */
export class UsageCoalescer {
  private pending = new Map<string, PendingUse>();

  get size(): number {
    return this.pending.size;
  }

  record(userId: string, resourceId: string, at: number, proxyId?: string): void {
    const key = grantKey({ userId, resourceId });
    const known = this.pending.get(key);
    if (known === undefined) this.pending.set(key, { userId, resourceId, at, proxyId });
    else if (known.at < at) {
      known.at = at;
      known.proxyId = proxyId;
    }
  }

  /** Everything pending, emptied: the caller publishes it, or gives it back with `restore`. */
  take(): UsageEvent[] {
    const out: UsageEvent[] = [];
    for (const u of this.pending.values())
      out.push({
        userId: u.userId,
        resourceId: u.resourceId,
        occurredAt: new Date(u.at).toISOString(),
        ...(u.proxyId ? { proxyId: u.proxyId } : {}),
      });
    this.pending = new Map();
    return out;
  }

  /** Puts back events that could not be published; a later use recorded meanwhile is kept. */
  restore(events: readonly UsageEvent[]): void {
    for (const e of events)
      this.record(e.userId, e.resourceId, Date.parse(e.occurredAt), e.proxyId);
  }
}
