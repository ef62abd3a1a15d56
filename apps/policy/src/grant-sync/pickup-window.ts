/**
 * The grant sync's pacing (docs/decisions.md §25): at most `size` grants the sync has sent a
 * start or a signal whose workflow task may still wait in Temporal's task queue, not yet picked
 * up by a grant worker. While the window is full the sync asks about one grant — the middle
 * one: when a worker has picked up its task, it and every grant sent before it leave the window
 * (the task queue hands tasks out roughly in the order they came), so one question frees half
 * the window and the sync asks ~2/size questions per grant. The sync thus starts grants at the
 * rate the grant workers take them, keeping between half a window and a window waiting for
 * them, instead of filling the task queue as fast as the server accepts starts.
 *
 * It only delays: a window that has not moved for `maxWaitMs` (no grant worker polling, or one
 * far behind) is let go, and the sync goes on. Pure: the sync does the asking and the clock.
 */
export interface PickupWindowSettings {
  /** Grants at most waiting to be picked up; 0 turns pacing off. */
  size: number;
  /** Longest the window may stay full without moving before it is let go (ms). */
  maxWaitMs: number;
}

/** What a pickup answer did to the window. */
export type WindowMove = 'moved' | 'wait' | 'let go';

export class PickupWindow<T> {
  /** Sent, in the order their calls returned; not known to be picked up. */
  private sent: T[] = [];
  /** When the window was last found full and not moving (epoch ms). */
  private stuckSince: number | undefined;

  constructor(private readonly s: PickupWindowSettings) {}

  get size(): number {
    return this.sent.length;
  }

  /** Whether the sync must wait before it sends the next grant. */
  get full(): boolean {
    return this.s.size > 0 && this.sent.length >= this.s.size;
  }

  /** A grant's start or signal returned: its workflow task is on the queue. */
  add(grant: T): void {
    if (this.s.size > 0) this.sent.push(grant);
  }

  /** The grant to ask about while the window is full (the middle one); undefined when empty. */
  probe(): T | undefined {
    return this.sent[Math.floor((this.sent.length - 1) / 2)];
  }

  /**
   * The answer about `grant` (from `probe()`) at `nowMs`: picked up (or nothing to pick up), it
   * and every grant sent before it leave the window; still waiting, the sync waits — unless the
   * window has stood still for `maxWaitMs`, then every grant in it is let go.
   */
  answer(grant: T, waiting: boolean, nowMs: number): WindowMove {
    const at = this.sent.indexOf(grant);
    if (!waiting) {
      if (at >= 0) this.sent = this.sent.slice(at + 1);
      this.stuckSince = undefined;
      return 'moved';
    }
    this.stuckSince ??= nowMs;
    if (nowMs - this.stuckSince < this.s.maxWaitMs) return 'wait';
    this.sent = [];
    this.stuckSince = undefined;
    return 'let go';
  }
}
