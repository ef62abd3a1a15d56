import { SignalWindow } from './signal-window';

describe('SignalWindow', () => {
  it('admits at most one signal per grant per window', () => {
    const w = new SignalWindow(60_000);
    expect(w.admit('a', 0)).toBe(true);
    expect(w.admit('a', 1)).toBe(false);
    expect(w.admit('b', 1)).toBe(true);
    expect(w.admit('a', 59_999)).toBe(false);
    expect(w.admit('a', 60_000)).toBe(true);
  });

  it('counts one signal per window over many events', () => {
    const w = new SignalWindow(1000);
    let sent = 0;
    for (let t = 0; t < 10_000; t += 7) if (w.admit('g', t)) sent++;
    expect(sent).toBe(10);
  });

  it('forget lets the next access signal; prune drops expired entries', () => {
    const w = new SignalWindow(1000);
    w.admit('a', 0);
    w.forget('a');
    expect(w.admit('a', 1)).toBe(true);
    w.admit('b', 500);
    expect(w.prune(1200)).toBe(1);
  });
});
