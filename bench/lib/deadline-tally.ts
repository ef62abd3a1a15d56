/**
 * Whether a storm of deadlines is really set up: how many grants have published (on
 * grants.state.v1, the record access-tracking's lock-due sweep reads) the deadline a bench gave
 * them, how fast, and whether the rest can follow before that deadline. A grant that has only
 * received its new period still has its old deadline everywhere that matters.
 */
import { round } from './args';

/** The fields of a grants.state.v1 record the tally reads. */
export interface GrantStateRecord {
  userId: string;
  resourceId: string;
  state: string;
  autoLockAt?: string | null;
  version: number;
}

const keyOf = (g: { userId: string; resourceId: string }) => `${g.userId} ${g.resourceId}`;

/**
 * The grants (of `grants`) whose latest published record (highest version) is ACTIVE with its
 * auto-lock at `deadlineMs`. Records may come in any order and more than once.
 */
export class DeadlineTally {
  private readonly latest = new Map<string, { version: number; atDeadline: boolean }>();
  private readonly grants: Set<string>;
  published = 0;

  constructor(
    grants: { userId: string; resourceId: string }[],
    private readonly deadlineMs: number,
  ) {
    this.grants = new Set(grants.map(keyOf));
  }

  get total(): number {
    return this.grants.size;
  }

  add(r: GrantStateRecord): void {
    const key = keyOf(r);
    if (!this.grants.has(key)) return;
    const before = this.latest.get(key);
    if (before && before.version >= r.version) return;
    const atDeadline =
      r.state === 'ACTIVE' && !!r.autoLockAt && Date.parse(r.autoLockAt) === this.deadlineMs;
    if (before?.atDeadline) this.published--;
    if (atDeadline) this.published++;
    this.latest.set(key, { version: r.version, atDeadline });
  }
}

export interface LeadProgress {
  total: number;
  published: number;
  /** Since the first period change was sent. */
  elapsedMs: number;
  /** Published per second lately. */
  ratePerSecond: number;
  /** Until the deadline. */
  msLeft: number;
  /** What must be left when every grant has published (for access-tracking to read it all). */
  marginMs: number;
}

export type LeadVerdict =
  | { verdict: 'published' }
  | { verdict: 'waiting'; etaSeconds: number }
  | { verdict: 'too short'; why: string; leadSecondsNeeded?: number };

/** Before deciding from a rate: enough time and grants for it to mean something. */
const SETTLE_MS = 20_000;
const SETTLE_SHARE = 0.1;

/**
 * Whether the deadline's lead suffices: every grant published with the margin left, still
 * waiting (and how long at the recent rate), or too short — now that the margin is reached, or
 * once the rate has settled and says the rest would arrive after it. A too-short verdict names
 * the lead that would do: the publishing time at the rate seen, with half again to spare (none
 * when nothing was published yet).
 */
export function leadVerdict(p: LeadProgress): LeadVerdict {
  const remaining = p.total - p.published;
  if (remaining === 0 && p.msLeft >= p.marginMs) return { verdict: 'published' };
  const overall = p.elapsedMs > 0 ? (p.published / p.elapsedMs) * 1000 : 0;
  const rate = p.ratePerSecond > 0 ? p.ratePerSecond : overall;
  const etaSeconds = rate > 0 ? remaining / rate : Infinity;
  const publishSeconds = rate > 0 ? p.total / rate : Infinity;
  // No rate yet (nothing published): no lead to name from it.
  const needed = rate > 0 ? Math.ceil(1.5 * publishSeconds + p.marginMs / 1000) : undefined;
  const at =
    rate > 0
      ? `${p.published}/${p.total} grants published the new deadline at ${round(rate, 1)}/s`
      : `no grant had published the new deadline ${round(p.elapsedMs / 1000, 1)} s after the first change`;
  if (p.msLeft < p.marginMs)
    return {
      verdict: 'too short',
      why: `${at} with ${round(p.msLeft / 1000, 1)} s left to the deadline`,
      leadSecondsNeeded: needed,
    };
  const settled = p.elapsedMs >= SETTLE_MS && p.published >= SETTLE_SHARE * p.total;
  if (settled && etaSeconds * 1000 > p.msLeft - p.marginMs)
    return {
      verdict: 'too short',
      why: `${at}: the other ${remaining} need ~${Math.ceil(etaSeconds)} s, the deadline is ${Math.floor(p.msLeft / 1000)} s away`,
      leadSecondsNeeded: needed,
    };
  return { verdict: 'waiting', etaSeconds };
}
