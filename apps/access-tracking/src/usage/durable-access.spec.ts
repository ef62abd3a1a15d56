import { DurableAccess } from './durable-access';

describe('DurableAccess', () => {
  it('knows nothing of a row never recorded, however large', () => {
    const d = new DurableAccess();
    expect(d.of(0)).toBe(0);
    expect(d.of(5_000_000)).toBe(0);
  });

  it('keeps the latest time per row and never moves back', () => {
    const d = new DurableAccess();
    d.record(3, 2000);
    d.record(3, 1000);
    expect(d.of(3)).toBe(2000);
    d.record(3, 3000);
    expect(d.of(3)).toBe(3000);
    expect(d.of(2)).toBe(0);
  });

  it('grows past its first size and keeps what it held', () => {
    const d = new DurableAccess();
    d.record(1, 10);
    d.record(100_000, 20);
    expect(d.of(1)).toBe(10);
    expect(d.of(100_000)).toBe(20);
    expect(d.of(99_999)).toBe(0);
  });
});
