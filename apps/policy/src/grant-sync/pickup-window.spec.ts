import { PickupWindow } from './pickup-window';

const filled = (size: number, n: number, maxWaitMs = 10_000) => {
  const w = new PickupWindow<number>({ size, maxWaitMs });
  for (let i = 0; i < n; i++) w.add(i);
  return w;
};

describe('PickupWindow', () => {
  it('is full once `size` grants are sent and none is known picked up', () => {
    const w = filled(4, 3);
    expect(w.full).toBe(false);
    w.add(3);
    expect(w.full).toBe(true);
    expect(w.size).toBe(4);
  });

  it('asks about the middle grant, so one answer frees about half the window', () => {
    expect(filled(4, 4).probe()).toBe(1);
    expect(filled(64, 64).probe()).toBe(31);
    expect(filled(64, 70).probe()).toBe(34);
    expect(filled(4, 1).probe()).toBe(0);
    expect(filled(4, 0).probe()).toBeUndefined();
  });

  it('drops the picked-up grant and every grant sent before it', () => {
    const w = filled(8, 8);
    const asked = w.probe() as number;
    expect(w.answer(asked, false, 0)).toBe('moved');
    expect(w.size).toBe(8 - (asked + 1));
    expect(w.full).toBe(false);
    // The oldest left is the one sent after the answered grant.
    expect(w.probe()).toBe(asked + 1 + Math.floor((w.size - 1) / 2));
  });

  it('waits while the asked grant is still queued, and lets the window go after maxWaitMs', () => {
    const w = filled(4, 4, 1_000);
    expect(w.answer(1, true, 5_000)).toBe('wait');
    expect(w.answer(1, true, 5_999)).toBe('wait');
    expect(w.full).toBe(true);
    expect(w.answer(1, true, 6_000)).toBe('let go');
    expect(w.size).toBe(0);
    expect(w.full).toBe(false);
  });

  it('counts the standstill from the last move, not from the first wait ever', () => {
    const w = filled(4, 4, 1_000);
    expect(w.answer(1, true, 0)).toBe('wait');
    expect(w.answer(1, false, 900)).toBe('moved');
    w.add(4);
    w.add(5);
    expect(w.full).toBe(true);
    expect(w.answer(w.probe() as number, true, 1_500)).toBe('wait');
    expect(w.answer(w.probe() as number, true, 2_400)).toBe('wait');
    expect(w.answer(w.probe() as number, true, 2_500)).toBe('let go');
  });

  it('an answer about a grant already let go changes nothing but the standstill clock', () => {
    const w = filled(4, 4);
    expect(w.answer(99, false, 0)).toBe('moved');
    expect(w.size).toBe(4);
  });

  it('size 0 never paces', () => {
    const w = filled(0, 1_000);
    expect(w.full).toBe(false);
    expect(w.size).toBe(0);
  });
});
