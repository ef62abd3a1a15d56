import type { EffectivePolicy } from '@lapse/contracts';
import {
  accessPeriodFor,
  autoLockAt,
  autoLockDeadline,
  dueDeadlines,
  jitWindowEnd,
  nextDeadline,
  pendingDeadlines,
  requestExpiresAt,
  type GrantTiming,
} from './deadlines';
import { addSeconds, earliest, isIsoTime, laterOf, toIso, toMs } from './time';

const DAY = 86_400;
const T0 = '2025-01-01T00:00:00.000Z';
const policy = (over: Partial<EffectivePolicy> = {}): EffectivePolicy => ({
  autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
  accessRequests: null,
  expiresAt: null,
  sourceGroupIds: ['g'],
  ...over,
});
const timing = (over: Partial<GrantTiming> = {}): GrantTiming => ({
  state: 'ACTIVE',
  policy: policy(),
  createdAt: T0,
  lastAccessAt: null,
  activeUntil: null,
  openRequestExpiresAt: null,
  ...over,
});

describe('auto-lock deadline (rule 1)', () => {
  it('starts at creation and moves with the last access', () => {
    expect(autoLockDeadline(policy(), T0, null)).toBe('2025-01-31T00:00:00.000Z');
    expect(autoLockDeadline(policy(), T0, '2025-01-10T12:00:00Z')).toBe('2025-02-09T12:00:00.000Z');
    expect(autoLockDeadline(policy({ autoLock: null }), T0, null)).toBeNull();
  });
  it.each([1, 7, 30, 60, 90])('%i-day preset', (days) => {
    expect(
      toMs(
        autoLockDeadline(
          policy({ autoLock: { durationSeconds: days * DAY, approval: 'MANUAL' } }),
          T0,
          null,
        ) as string,
      ) - toMs(T0),
    ).toBe(days * DAY * 1000);
  });
  it('applies only while ACTIVE', () => {
    expect(autoLockAt(timing())).toBe('2025-01-31T00:00:00.000Z');
    expect(autoLockAt(timing({ state: 'LOCKED' }))).toBeNull();
    expect(autoLockAt(timing({ state: 'PENDING' }))).toBeNull();
  });
});

describe('JIT window and request TTL', () => {
  it('computes window end and request expiry', () => {
    expect(jitWindowEnd(T0, 3600)).toBe('2025-01-01T01:00:00.000Z');
    expect(requestExpiresAt(T0, 7 * DAY)).toBe('2025-01-08T00:00:00.000Z');
  });
  it('uses the fixed period, or the CUSTOM choice (default 7 days)', () => {
    expect(accessPeriodFor({ accessPeriodSeconds: 3600, approval: 'MANUAL' }, 99)).toBe(3600);
    expect(accessPeriodFor({ accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' }, 99)).toBe(99);
    expect(accessPeriodFor({ accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' })).toBe(7 * DAY);
  });
});

describe('next deadline', () => {
  it('orders expiry, auto-lock, JIT end and request TTL', () => {
    const t = timing({
      policy: policy({ expiresAt: '2025-03-01T00:00:00Z' }),
      activeUntil: '2025-01-02T00:00:00Z',
    });
    expect(pendingDeadlines(t).map((d) => d.kind)).toEqual(['JIT_END', 'AUTO_LOCK', 'EXPIRY']);
    expect(nextDeadline(t)).toEqual({ kind: 'JIT_END', at: Date.parse('2025-01-02T00:00:00Z') });
  });
  it('a locked grant waits only for expiry and its open request', () => {
    const t = timing({
      state: 'PENDING',
      openRequestExpiresAt: '2025-01-08T00:00:00Z',
      activeUntil: null,
    });
    expect(pendingDeadlines(t).map((d) => d.kind)).toEqual(['REQUEST_TTL']);
  });
  it('a terminal grant has none; a grant without policy limits has none', () => {
    expect(nextDeadline(timing({ state: 'REVOKED' }))).toBeNull();
    expect(nextDeadline(timing({ policy: policy({ autoLock: null }) }))).toBeNull();
  });
  it('due deadlines are those at or before now', () => {
    const lockAt = Date.parse('2025-01-31T00:00:00Z');
    expect(dueDeadlines(timing(), lockAt - 1)).toEqual([]);
    expect(dueDeadlines(timing(), lockAt)).toEqual([{ kind: 'AUTO_LOCK', at: lockAt }]);
  });
});

describe('time helpers', () => {
  it('converts and compares', () => {
    expect(toIso(toMs(T0))).toBe(T0);
    expect(addSeconds(T0, 90)).toBe('2025-01-01T00:01:30.000Z');
    expect(() => toMs('nope')).toThrow(RangeError);
    expect(isIsoTime(T0)).toBe(true);
    expect(isIsoTime('nope')).toBe(false);
    expect(isIsoTime(5)).toBe(false);
    expect(laterOf(null, T0)).toBe(T0);
    expect(laterOf(T0, null)).toBe(T0);
    expect(laterOf(T0, '2025-01-02T00:00:00Z')).toBe('2025-01-02T00:00:00Z');
    expect(laterOf('2025-01-02T00:00:00Z', T0)).toBe('2025-01-02T00:00:00Z');
    expect(earliest(null, 5, 3, null)).toBe(3);
    expect(earliest(null)).toBeNull();
  });
});
