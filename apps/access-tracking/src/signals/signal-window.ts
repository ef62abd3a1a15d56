/**
 * Coalesces `accessed` signals: at most one per grant per window. Remembers when each grant
 * was last signalled; entries older than the window are equivalent to none and are pruned.
 */
export class SignalWindow {
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True (and records the send) when `key` may be signalled at `now`. */
  admit(key: string, now: number): boolean {
    const last = this.lastSent.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.lastSent.set(key, now);
    return true;
  }

  /** Forgets a send that did not happen (e.g. dropped), so the next access may signal. */
  forget(key: string): void {
    this.lastSent.delete(key);
  }

  /** Drops entries older than the window; returns how many remain. */
  prune(now: number): number {
    for (const [key, at] of this.lastSent) if (now - at >= this.windowMs) this.lastSent.delete(key);
    return this.lastSent.size;
  }
}
