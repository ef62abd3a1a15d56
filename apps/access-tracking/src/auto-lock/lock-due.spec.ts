import { checkLockDue } from './lock-due';

const T = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;
/** A grant whose workflow deadline is T, auto-lock after a minute. */
const check = { autoLockAt: T, durationSeconds: 60, markedAt: null };

describe('checkLockDue (rule 1)', () => {
  it('due at the deadline when no use is recorded', () => {
    expect(checkLockDue(check, null, T)).toEqual({ due: true, lockDueAt: T });
    expect(checkLockDue(check, null, T + 5000)).toEqual({ due: true, lockDueAt: T });
  });

  it('a recorded use no newer than the deadline’s basis changes nothing', () => {
    expect(checkLockDue(check, T - MIN, T)).toEqual({ due: true, lockDueAt: T });
    expect(checkLockDue(check, T - 2 * MIN, T)).toEqual({ due: true, lockDueAt: T });
  });

  it('a newer recorded use moves the deadline to that use + the duration', () => {
    expect(checkLockDue(check, T - 1000, T)).toEqual({ due: false, autoLockAt: T + MIN - 1000 });
    expect(checkLockDue(check, T + 200, T + 250)).toEqual({
      due: false,
      autoLockAt: T + MIN + 200,
    });
  });

  it('a newer use whose own period has passed too is due at its own deadline', () => {
    expect(checkLockDue(check, T + 1000, T + MIN + 2000)).toEqual({
      due: true,
      lockDueAt: T + MIN + 1000,
    });
  });

  it('the deadline is reached at exactly its time (≤ now), as the workflow’s timer', () => {
    expect(checkLockDue(check, T - 1000, T + MIN - 1000)).toEqual({
      due: true,
      lockDueAt: T + MIN - 1000,
    });
    expect(checkLockDue(check, null, T - 1)).toEqual({ due: false, autoLockAt: T });
  });

  describe('the re-check of a marked grant', () => {
    const marked = { ...check, markedAt: T + 250 };

    it('lifts the mark for a use from before the mark, ingested after it', () => {
      expect(checkLockDue(marked, T + 100, T + 15_250)).toEqual({
        due: false,
        autoLockAt: T + MIN + 100,
      });
    });

    it('keeps it for a use dated after the mark (rule 2: it does not unlock)', () => {
      expect(checkLockDue(marked, T + 250, T + 15_250)).toEqual({ due: true, lockDueAt: T });
      expect(checkLockDue(marked, T + 9000, T + 15_250)).toEqual({ due: true, lockDueAt: T });
    });

    it('keeps it when nothing new is recorded', () => {
      expect(checkLockDue(marked, null, T + 15_250)).toEqual({ due: true, lockDueAt: T });
      expect(checkLockDue(marked, T - MIN, T + 15_250)).toEqual({ due: true, lockDueAt: T });
    });
  });
});
