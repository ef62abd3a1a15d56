import { coveredUntil } from './lag-monitor';

const obs = (at: number, ...ends: number[]) => ({
  at,
  ends: new Map(ends.map((e, p) => [p, e])),
});
const committed = (...c: number[]) => new Map(c.map((o, p) => [p, o]));

describe('coveredUntil', () => {
  it('is the latest observation whose log ends are all committed', () => {
    const seen = [obs(1000, 5, 7), obs(2000, 9, 7), obs(3000, 12, 8)];
    expect(coveredUntil(seen, committed(9, 7))).toBe(2000);
    expect(coveredUntil(seen, committed(12, 8))).toBe(3000);
    expect(coveredUntil(seen, committed(12, 6))).toBe(null);
  });

  it('one partition behind holds the whole topic back', () => {
    expect(coveredUntil([obs(1000, 5, 7), obs(2000, 9, 9)], committed(100, 7))).toBe(1000);
  });

  it('a partition the group never committed counts as not started', () => {
    expect(coveredUntil([obs(1000, 0, 3)], new Map([[0, 0]]))).toBe(null);
  });
});
