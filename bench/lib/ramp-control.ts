/**
 * How fast the live bench starts grant workflows, and when it stops adding them: the largest
 * number this machine holds, and what limits it.
 *
 * Every check the bench measures how long the newest grants' first workflow task waited to be
 * picked up (scheduled → started: the grant worker's and Temporal's backlog). Above the bound,
 * starts halve; well under it, they double (up to the maximum): the ramp goes as fast as the
 * machine works off, instead of queueing work it cannot do. Above the bound with one start in
 * flight, starts pause until the newest grants' first tasks have all been picked up (the
 * backlog the faster starts left is worked off), then go on from one. The ramp stops when a
 * pause does not drain within the drain time (the grants already held keep the machine busier
 * than it works off: their wake-ups), when memory runs short, at the time budget, or when every
 * grant is started. A start the server refuses stops it too (the bench's own check).
 */

export interface RampCheck {
  /** Grants started so far. */
  held: number;
  /** Scheduled → started of the sampled grants' first workflow task (ms), p90. NaN: none. */
  taskWaitP90Ms: number;
  /** MemAvailable (MiB). */
  freeMiB: number;
  /** While paused: whether the newest grants' first tasks have all been picked up. */
  newestPickedUp?: boolean;
  /** Since the ramp began. */
  elapsedMs: number;
}

export interface RampLimits {
  maxLanes: number;
  /** Workflow task wait bound (ms). */
  boundMs: number;
  /** How long a pause may take to drain before the ramp stops (ms). */
  drainMs: number;
  minFreeMiB: number;
  budgetMs: number;
  total: number;
}

export type RampStop =
  | { by: 'all started'; held: number }
  | { by: 'task latency' | 'memory' | 'time budget'; held: number; detail: string };

/** Starts in flight now and, once it is time, why the ramp stops. */
export class RampControl {
  /** Starts in flight; 0 while paused. */
  lanes: number;
  /** When the pause began (elapsedMs), while paused. */
  private pausedAt: number | undefined;
  readonly history: (RampCheck & { lanes: number })[] = [];

  constructor(private readonly limits: RampLimits) {
    this.lanes = limits.maxLanes;
  }

  /** Takes a check's figures: adjusts `lanes`, and says whether (and why) the ramp stops. */
  check(c: RampCheck): RampStop | undefined {
    const l = this.limits;
    this.history.push({ ...c, lanes: this.lanes });
    if (c.held >= l.total) return { by: 'all started', held: c.held };
    if (c.freeMiB < l.minFreeMiB)
      return {
        by: 'memory',
        held: c.held,
        detail: `${Math.round(c.freeMiB)} MiB available, under ${l.minFreeMiB} MiB`,
      };
    if (c.elapsedMs >= l.budgetMs)
      return {
        by: 'time budget',
        held: c.held,
        detail: `${Math.round(l.budgetMs / 60_000)} min of ramp spent, ${c.held} of ${l.total} started`,
      };
    if (this.pausedAt !== undefined) {
      if (c.newestPickedUp) {
        this.pausedAt = undefined;
        this.lanes = 1;
      } else if (c.elapsedMs - this.pausedAt >= l.drainMs)
        return {
          by: 'task latency',
          held: c.held,
          detail: `starts paused ${Math.round((c.elapsedMs - this.pausedAt) / 1000)} s and the newest grants' first workflow tasks were still waiting: the ${c.held} held keep the machine busier than it works off (the wait had passed ${l.boundMs / 1000} s with one start in flight)`,
        };
      return undefined;
    }
    const over = c.taskWaitP90Ms > l.boundMs;
    if (over && this.lanes === 1) {
      this.pausedAt = c.elapsedMs;
      this.lanes = 0;
    } else if (over) this.lanes = Math.max(1, Math.floor(this.lanes / 2));
    else if (c.taskWaitP90Ms < l.boundMs / 2) this.lanes = Math.min(l.maxLanes, this.lanes * 2);
    return undefined;
  }
}
