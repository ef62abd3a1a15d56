import { RowTimes } from './row-times';

describe('RowTimes', () => {
  it('keeps the latest time per row, rows in the order first seen', () => {
    const t = new RowTimes();
    t.offer(7, 2000);
    t.offer(3, 1000);
    t.offer(7, 1500);
    t.offer(3, 1700);
    expect(t.size).toBe(2);
    expect([t.row(0), t.time(0), t.row(1), t.time(1)]).toEqual([7, 2000, 3, 1700]);
    expect(t.of(7)).toBe(2000);
    expect(t.of(4)).toBeUndefined();
  });

  it('grows past its first size without losing a time', () => {
    const t = new RowTimes();
    for (let row = 0; row < 1000; row++) t.offer(row, 1_764_000_000_000 + row);
    for (let row = 0; row < 1000; row++) t.offer(row, 1_764_000_000_000);
    expect(t.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(t.time(i)).toBe(1_764_000_000_000 + t.row(i));
  });
});
