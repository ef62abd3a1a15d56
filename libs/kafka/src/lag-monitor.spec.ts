import { coveredUntil, groupPositions } from './lag-monitor';

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

describe('groupPositions (a partition the group has not committed on)', () => {
  const read = (low: number, end: number, committed: number | null) => ({ low, end, committed });
  const positions = (
    readings: [number, ReturnType<typeof read>][],
    o: { fromBeginning: boolean; hasMembers: boolean },
    anchors = new Map<number, number>(),
  ) => groupPositions(new Map(readings), { ...o, anchors });

  it('a committed offset is the position, never below the log start', () => {
    const o = { fromBeginning: false, hasMembers: false };
    expect(positions([[0, read(0, 9, 4)]], o).get(0)).toBe(4);
    expect(positions([[0, read(6, 9, 4)]], o).get(0)).toBe(6);
  });

  it('from the beginning: the log start, so records already there are still to do', () => {
    const p = positions([[0, read(2, 9, null)]], { fromBeginning: true, hasMembers: true });
    expect(p.get(0)).toBe(2);
  });

  it('from the end: older records are not lag once a member holds the partition', () => {
    const anchors = new Map<number, number>();
    const o = { fromBeginning: false, hasMembers: true };
    // A group that started at the end of a busy topic and has consumed nothing since.
    expect(positions([[0, read(0, 500, null)]], o, anchors).get(0)).toBe(500);
    expect(coveredUntil([obs(1000, 500)], committed(500))).toBe(1000);
    // A record arriving later is lag until the group commits it.
    expect(positions([[0, read(0, 501, null)]], o, anchors).get(0)).toBe(500);
    expect(positions([[0, read(0, 501, 501)]], o, anchors).get(0)).toBe(501);
    expect(anchors.size).toBe(0);
  });

  it('from the end with nobody in the group: unknown, and a later member starts afresh', () => {
    const anchors = new Map([[0, 100]]);
    const alone = positions(
      [[0, read(0, 300, null)]],
      { fromBeginning: false, hasMembers: false },
      anchors,
    );
    expect(alone.get(0)).toBeNull();
    expect(anchors.size).toBe(0);
    const joined = positions(
      [[0, read(0, 300, null)]],
      { fromBeginning: false, hasMembers: true },
      anchors,
    );
    expect(joined.get(0)).toBe(300);
  });
});
