import { recentRate } from './args';
import {
  DeadlineTally,
  LockTally,
  leadVerdict,
  trailingRates,
  type LeadProgress,
} from './deadline-tally';

const T = Date.parse('2026-12-01T04:00:00.000Z');
const a = { userId: 'u1', resourceId: 'r1' };
const b = { userId: 'u2', resourceId: 'r1' };
const record = (g: typeof a, version: number, autoLockAt: string | null, state = 'ACTIVE') => ({
  ...g,
  version,
  autoLockAt,
  state,
});

describe('DeadlineTally', () => {
  it('counts a grant once its latest record puts the auto-lock at the deadline', () => {
    const tally = new DeadlineTally([a, b], T);
    tally.add(record(a, 1, '2026-12-02T03:00:00.000Z')); // created: a day-long period
    expect(tally.published).toBe(0);
    tally.add(record(a, 2, '2026-12-01T04:00:00.000Z'));
    tally.add(record(a, 2, '2026-12-01T04:00:00.000Z')); // read twice
    expect(tally.published).toBe(1);
    tally.add(record(b, 3, '2026-12-01T04:00:00Z')); // the same instant, written otherwise
    expect(tally).toMatchObject({ published: 2, total: 2 });
  });

  it('follows the highest version whatever the order, and only ACTIVE grants', () => {
    const tally = new DeadlineTally([a, b], T);
    tally.add(record(a, 2, '2026-12-01T04:00:00.000Z'));
    tally.add(record(a, 1, '2026-12-02T03:00:00.000Z')); // older, late
    expect(tally.published).toBe(1);
    tally.add(record(a, 3, null, 'LOCKED')); // moved on
    expect(tally.published).toBe(0);
    tally.add(record(b, 1, '2026-12-01T04:00:00.000Z', 'LOCKED'));
    tally.add(record(b, 2, '2026-12-01T04:00:01.000Z')); // another deadline
    expect(tally.published).toBe(0);
  });

  it('ignores grants it was not given', () => {
    const tally = new DeadlineTally([a], T);
    tally.add(record(b, 1, '2026-12-01T04:00:00.000Z'));
    expect(tally).toMatchObject({ published: 0, total: 1 });
  });
});

describe('recentRate', () => {
  it('is the count per second over the last window', () => {
    const samples = [0, 1, 2, 3, 4, 5].map((s) => ({ atMs: s * 10_000, n: s * s * 100 }));
    // 0, 100, 400, 900, 1600, 2500: the last 20 s run from 900 at 30 s to 2500 at 50 s
    expect(recentRate(samples, 20_000)).toBe(80);
    expect(recentRate(samples.slice(0, 1), 20_000)).toBe(0);
    expect(recentRate([], 20_000)).toBe(0);
  });
});

describe('leadVerdict', () => {
  const at = (p: Partial<LeadProgress>): LeadProgress => ({
    total: 10_000,
    published: 0,
    elapsedMs: 0,
    ratePerSecond: 0,
    msLeft: 800_000,
    marginMs: 2000,
    ...p,
  });

  it('is published when every grant has it with the margin left', () => {
    expect(leadVerdict(at({ published: 10_000, elapsedMs: 370_000, msLeft: 2000 }))).toEqual({
      verdict: 'published',
    });
  });

  it('waits while the recent rate reaches everybody in time, with the time it needs', () => {
    const v = leadVerdict(at({ published: 5000, elapsedMs: 185_000, ratePerSecond: 25 }));
    expect(v).toEqual({ verdict: 'waiting', etaSeconds: 200 });
  });

  it('waits on an early slow start before the rate has settled', () => {
    const early = { published: 50, elapsedMs: 10_000, ratePerSecond: 5, msLeft: 180_000 };
    expect(leadVerdict(at(early)).verdict).toBe('waiting');
    expect(leadVerdict(at({ ...early, elapsedMs: 30_000, published: 999 })).verdict).toBe(
      'waiting',
    );
  });

  it('is too short once the settled rate would publish the rest after the deadline', () => {
    // The 10,000-grant run given --leadSeconds 180: ~27 period changes a second.
    const v = leadVerdict(
      at({
        published: 3510,
        elapsedMs: 130_000,
        ratePerSecond: 27,
        earlierRatePerSecond: 27,
        msLeft: 130_000,
      }),
    );
    expect(v).toMatchObject({ verdict: 'too short', leadSecondsNeeded: 558 });
    expect(v.verdict === 'too short' && v.why).toBe(
      '3510/10000 grants published the new deadline at 27/s: the other 6490 need ~241 s, the deadline is 130 s away',
    );
  });

  it('waits out a slow first minute and a rate still rising', () => {
    // The 10,000-grant run given --leadSeconds 540: 13/s in its first 95 s, then ~30/s.
    const slowStart = { published: 1235, elapsedMs: 95_000, ratePerSecond: 13 };
    expect(
      leadVerdict(at({ ...slowStart, earlierRatePerSecond: 13, msLeft: 445_000 })).verdict,
    ).toBe('waiting');
    const rising = { published: 2285, elapsedMs: 130_000, ratePerSecond: 30, msLeft: 200_000 };
    expect(leadVerdict(at({ ...rising, earlierRatePerSecond: 13 })).verdict).toBe('waiting');
    // Settled at 30/s: the other 7715 need ~258 s, 200 s are left.
    expect(leadVerdict(at({ ...rising, earlierRatePerSecond: 29 })).verdict).toBe('too short');
  });

  it('is too short when the margin is reached with grants missing, whatever the rate', () => {
    const v = leadVerdict(
      at({ published: 9990, elapsedMs: 400_000, ratePerSecond: 0, msLeft: 1500 }),
    );
    expect(v).toMatchObject({ verdict: 'too short' });
    expect(leadVerdict(at({ published: 10_000, msLeft: 1500, elapsedMs: 1000 })).verdict).toBe(
      'too short',
    );
  });

  it('names no lead when nothing was published yet to take a rate from', () => {
    expect(leadVerdict(at({ published: 0, elapsedMs: 5100, msLeft: 900 }))).toEqual({
      verdict: 'too short',
      why: 'no grant had published the new deadline 5.1 s after the first change with 0.9 s left to the deadline',
      leadSecondsNeeded: undefined,
    });
  });
});

describe('trailingRates', () => {
  it('is the rate over the trailing window and over the window before it', () => {
    // 13/s for 90 s, then 30/s.
    const samples = Array.from({ length: 13 }, (_, i) => {
      const s = i * 10;
      return { atMs: s * 1000, n: s <= 90 ? 13 * s : 1170 + 30 * (s - 90) };
    });
    expect(trailingRates(samples, 30_000)).toEqual({ recent: 30, earlier: 13 });
    expect(trailingRates(samples.slice(0, 5), 30_000)).toEqual({ recent: 13, earlier: 0 });
    expect(trailingRates([], 30_000)).toEqual({ recent: 0, earlier: 0 });
  });
});

describe('LockTally', () => {
  const locked = (g: typeof a, version: number, lockedAt: string | null) => ({
    ...g,
    version,
    state: lockedAt ? 'LOCKED' : 'ACTIVE',
    lockedAt,
  });

  it('takes each grant’s first LOCKED record: lockedAt and publication against the deadline', () => {
    const tally = new LockTally([a, b], T);
    tally.add(locked(a, 2, null), T - 5000); // the period change, ACTIVE
    expect(tally.count).toBe(0);
    tally.add(locked(a, 3, '2026-12-01T04:00:01.500Z'), T + 1700);
    tally.add(locked(a, 3, '2026-12-01T04:00:01.500Z'), T + 9000); // read twice
    tally.add(locked(b, 5, '2026-12-01T04:00:00.250Z'), T + 400);
    tally.add(locked({ userId: 'u3', resourceId: 'r1' }, 1, '2026-12-01T04:00:00Z'), T); // not ours
    expect(tally).toMatchObject({ count: 2, total: 2 });
    expect(tally.lateness()).toEqual({ lockedAtMs: [1500, 250], publishedMs: [1700, 400] });
  });
});
