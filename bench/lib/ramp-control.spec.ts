import { RampControl, type RampLimits } from './ramp-control';

const limits: RampLimits = {
  maxLanes: 32,
  boundMs: 5000,
  overChecks: 3,
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

  it('stops where even one start in flight leaves the tasks waiting, checks in a row', () => {
    const ramp = new RampControl({ ...limits, maxLanes: 2 });
    expect(ramp.check(check(9000, 7000))).toBeUndefined(); // 2 → 1
    expect(ramp.check(check(9000, 7100))).toBeUndefined(); // 1st at one lane
    expect(ramp.check(check(9000, 7200))).toBeUndefined(); // 2nd
    expect(ramp.check(check(100, 7300))).toBeUndefined(); // recovered: counting again
    expect(ramp.lanes).toBe(2);
    ramp.check(check(9000, 7400)); // 2 → 1
    ramp.check(check(9000, 7500));
    ramp.check(check(9000, 7600));
    expect(ramp.check(check(12_000, 7700))).toEqual({
      by: 'task latency',
      held: 7700,
      detail:
        "the newest grants' first workflow task waited p90 12 s (bound 5 s) for 3 checks in a row with one start in flight",
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
