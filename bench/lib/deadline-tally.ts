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
  /** Published per second over the trailing window. */
  ratePerSecond: number;
  /** Published per second over the window before it (0: none yet). */
  earlierRatePerSecond?: number;
  /** Until the deadline. */
  msLeft: number;
  /** What must be left when every grant has published (for access-tracking to read it all). */
  marginMs: number;
}

export type LeadVerdict =
  | { verdict: 'published' }
  | { verdict: 'waiting'; etaSeconds: number }
  | { verdict: 'too short'; why: string; leadSecondsNeeded?: number };

/**
 * Before deciding from a rate: enough time and grants for it to mean something. The grant
 * worker's rate rises over the first minutes (the 10,000-grant run: 13/s in its first 95 s, then
 * ~30/s), so a stop waits two minutes and a fifth of the grants, and never while the trailing
 * window's rate is still above the window before it.
 */
const SETTLE_MS = 120_000;
const SETTLE_SHARE = 0.2;
/** A trailing rate this much above the window before it is still rising. */
const RISING = 1.1;

/**
 * Whether the deadline's lead suffices: every grant published with the margin left, still
 * waiting (and how long at the recent rate), or too short — now that the margin is reached, or
 * once the rate has settled (judged on the trailing window, no longer rising) and says the rest
 * would arrive after it. A too-short verdict names
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
  const rising = p.ratePerSecond > RISING * (p.earlierRatePerSecond ?? 0);
  const settled = p.elapsedMs >= SETTLE_MS && p.published >= SETTLE_SHARE * p.total && !rising;
  if (settled && etaSeconds * 1000 > p.msLeft - p.marginMs)
    return {
      verdict: 'too short',
      why: `${at}: the other ${remaining} need ~${Math.ceil(etaSeconds)} s, the deadline is ${Math.floor(p.msLeft / 1000)} s away`,
      leadSecondsNeeded: needed,
    };
  return { verdict: 'waiting', etaSeconds };
}

/**
 * Published per second over the trailing `windowMs` and over the window before it, from
 * cumulative samples (0 where the samples do not reach back that far).
 */
export function trailingRates(
  samples: { atMs: number; n: number }[],
  windowMs: number,
): { recent: number; earlier: number } {
  const last = samples.at(-1);
  if (!last) return { recent: 0, earlier: 0 };
  const at = (ms: number) => samples.find((s) => s.atMs >= ms);
  const rate = (from: { atMs: number; n: number } | undefined, to: { atMs: number; n: number }) =>
    from && to.atMs > from.atMs ? ((to.n - from.n) / (to.atMs - from.atMs)) * 1000 : 0;
  const mid = at(last.atMs - windowMs) ?? last;
  const reachesBack = samples[0].atMs <= last.atMs - 2 * windowMs;
  return {
    recent: rate(mid, last),
    earlier: reachesBack ? rate(at(last.atMs - 2 * windowMs), mid) : 0,
  };
}

/** The fields of a grants.state.v1 record a lock tally reads. */
export interface LockedRecord {
  userId: string;
  resourceId: string;
  state: string;
  lockedAt?: string | null;
  version: number;
}

/**
 * The workflows' own locks after a storm: which of `grants` have published a LOCKED record
 * (the first one read counts), each one's `lockedAt` and when the record was written to Kafka,
 * against the deadline. Records of other grants or states are ignored.
 */
export class LockTally {
  private readonly grants: Set<string>;
  private readonly locked = new Map<string, { lockedAtMs: number; publishedAtMs: number }>();

  constructor(
    grants: { userId: string; resourceId: string }[],
    private readonly deadlineMs: number,
  ) {
    this.grants = new Set(grants.map(keyOf));
  }

  get total(): number {
    return this.grants.size;
  }

  get count(): number {
    return this.locked.size;
  }

  /** `publishedAtMs`: the record's Kafka timestamp (written by the grant worker's producer). */
  add(r: LockedRecord, publishedAtMs: number): void {
    const key = keyOf(r);
    if (!this.grants.has(key) || this.locked.has(key) || r.state !== 'LOCKED' || !r.lockedAt)
      return;
    this.locked.set(key, { lockedAtMs: Date.parse(r.lockedAt), publishedAtMs });
  }

  /** Per grant locked, ms after the deadline: its `lockedAt`, and its record's publication. */
  lateness(): { lockedAtMs: number[]; publishedMs: number[] } {
    const all = [...this.locked.values()];
    return {
      lockedAtMs: all.map((l) => l.lockedAtMs - this.deadlineMs),
      publishedMs: all.map((l) => l.publishedAtMs - this.deadlineMs),
    };
  }
}
