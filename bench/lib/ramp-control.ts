/**
 * How fast the live bench starts grant workflows, and when it stops adding them: the largest
 * number this machine holds, and what limits it.
 *
 * Every check the bench measures how long the newest grants' first workflow task waited to be
 * picked up (scheduled → started: the grant worker's and Temporal's backlog). Above the bound,
 * starts halve (down to one in flight); well under it, they double (up to the maximum): the ramp
 * goes as fast as the machine works off, instead of queueing work it cannot do. The ramp stops
 * when the wait stays above the bound even with one start in flight (the grants already held
 * keep it busy: their wake-ups), when memory runs short, at the time budget, or when every grant
 * is started. A start the server refuses stops it too (the bench's own check).
 */
import { round } from './args';

export interface RampCheck {
  /** Grants started so far. */
  held: number;
  /** Scheduled → started of the sampled grants' first workflow task (ms), p90. NaN: none. */
  taskWaitP90Ms: number;
  /** MemAvailable (MiB). */
  freeMiB: number;
  /** Since the ramp began. */
  elapsedMs: number;
}

export interface RampLimits {
  maxLanes: number;
  /** Workflow task wait bound (ms). */
  boundMs: number;
  /** Consecutive checks above the bound at one lane that stop the ramp. */
  overChecks: number;
  minFreeMiB: number;
  budgetMs: number;
  total: number;
}

export type RampStop =
  | { by: 'all started'; held: number }
  | { by: 'task latency' | 'memory' | 'time budget'; held: number; detail: string };

/** Starts in flight now and, once it is time, why the ramp stops. */
export class RampControl {
  lanes: number;
  private overAtOne = 0;
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
    const over = c.taskWaitP90Ms > l.boundMs;
    this.overAtOne = over && this.lanes === 1 ? this.overAtOne + 1 : 0;
    if (this.overAtOne >= l.overChecks)
      return {
        by: 'task latency',
        held: c.held,
        detail: `the newest grants' first workflow task waited p90 ${round(c.taskWaitP90Ms / 1000, 1)} s (bound ${l.boundMs / 1000} s) for ${l.overChecks} checks in a row with one start in flight`,
      };
    if (c.elapsedMs >= l.budgetMs)
      return {
        by: 'time budget',
        held: c.held,
        detail: `${Math.round(l.budgetMs / 60_000)} min of ramp spent, ${c.held} of ${l.total} started`,
      };
    if (over) this.lanes = Math.max(1, Math.floor(this.lanes / 2));
    else if (c.taskWaitP90Ms < l.boundMs / 2) this.lanes = Math.min(l.maxLanes, this.lanes * 2);
    return undefined;
  }
}
