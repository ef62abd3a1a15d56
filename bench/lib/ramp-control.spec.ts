import { RampControl, type RampLimits } from './ramp-control';

const limits: RampLimits = {
  maxLanes: 32,
  boundMs: 5000,
  drainMs: 120_000,
  minFreeMiB: 512,
  budgetMs: 15 * 60_000,
  total: 50_000,
};
const check = (taskWaitP90Ms: number, held = 1000, elapsedMs = 60_000, freeMiB = 4000) => ({
  held,
  taskWaitP90Ms,
  freeMiB,
  elapsedMs,
});

describe('RampControl', () => {
  it('halves the starts in flight while the first tasks wait past the bound, doubles them well under it', () => {
    const ramp = new RampControl(limits);
    expect(ramp.check(check(8000))).toBeUndefined();
    expect(ramp.lanes).toBe(16);
    ramp.check(check(6000));
    ramp.check(check(5001));
    expect(ramp.lanes).toBe(4);
    ramp.check(check(3000)); // under the bound, not well under: kept
    expect(ramp.lanes).toBe(4);
    ramp.check(check(1000));
    expect(ramp.lanes).toBe(8);
    ramp.check(check(NaN)); // nothing sampled: kept
    expect(ramp.lanes).toBe(8);
    for (let i = 0; i < 5; i++) ramp.check(check(10));
    expect(ramp.lanes).toBe(32);
    expect(ramp.history.map((h) => h.lanes).slice(0, 4)).toEqual([32, 16, 8, 4]);
  });

  it('pauses with one start in flight past the bound, and goes on from one once the newest are picked up', () => {
    const ramp = new RampControl({ ...limits, maxLanes: 2 });
    ramp.check(check(9000, 7000, 60_000)); // 2 → 1
    expect(ramp.lanes).toBe(1);
    ramp.check(check(9000, 7100, 70_000)); // past the bound at one: pause
    expect(ramp.lanes).toBe(0);
    expect(ramp.check({ ...check(NaN, 7100, 80_000), newestPickedUp: false })).toBeUndefined();
    expect(ramp.lanes).toBe(0);
    expect(ramp.check({ ...check(NaN, 7100, 90_000), newestPickedUp: true })).toBeUndefined();
    expect(ramp.lanes).toBe(1);
    ramp.check(check(1000, 7150, 100_000));
    expect(ramp.lanes).toBe(2);
  });

  it('stops where a pause does not drain: the grants held keep the machine busy', () => {
    const ramp = new RampControl({ ...limits, maxLanes: 1 });
    ramp.check(check(9000, 7700, 60_000)); // pause at 60 s
    expect(ramp.check({ ...check(NaN, 7700, 179_000), newestPickedUp: false })).toBeUndefined();
    expect(ramp.check({ ...check(NaN, 7700, 180_000), newestPickedUp: false })).toEqual({
      by: 'task latency',
      held: 7700,
      detail:
        "starts paused 120 s and the newest grants' first workflow tasks were still waiting: the 7700 held keep the machine busier than it works off (the wait had passed 5 s with one start in flight)",
    });
  });

  it('stops when every grant is started, memory runs short or the budget is spent', () => {
    expect(new RampControl(limits).check(check(9000, 50_000))).toEqual({
      by: 'all started',
      held: 50_000,
    });
    expect(new RampControl(limits).check(check(10, 30_000, 60_000, 400))).toMatchObject({
      by: 'memory',
      detail: '400 MiB available, under 512 MiB',
    });
    expect(new RampControl(limits).check(check(10, 30_000, 15 * 60_000))).toMatchObject({
      by: 'time budget',
      detail: '15 min of ramp spent, 30000 of 50000 started',
    });
  });
});
