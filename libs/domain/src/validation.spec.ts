import { LIMITS } from '@lapse/contracts';
import {
  validateAccessPeriod,
  validateAutoLockDuration,
  validateCustomAccessPeriod,
  validateNote,
  validatePolicy,
  validatePolicyOverride,
  validateReason,
} from './validation';

const DAY = 86_400;
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('validateAutoLockDuration', () => {
  it.each([1, 90, DAY, 7 * DAY, 30 * DAY, 60 * DAY, 90 * DAY, 400 * DAY])('accepts %i s', (s) => {
    expect(validateAutoLockDuration(s)).toEqual([]);
  });
  it.each([0, -1, 400 * DAY + 1, 1.5, Number.NaN, '90', null])('refuses %p', (s) => {
    expect(fields(validateAutoLockDuration(s))).toEqual(['durationSeconds']);
  });
  it('names the bounds', () => {
    expect(validateAutoLockDuration(400 * DAY + 1)[0].message).toBe(
      'durationSeconds must be between 1 s and 400 days',
    );
  });
});

describe('validateCustomAccessPeriod (JIT CUSTOM ≤ 7 days)', () => {
  it('accepts 1 s … 7 days', () => {
    expect(validateCustomAccessPeriod(1)).toEqual([]);
    expect(validateCustomAccessPeriod(LIMITS.customAccessPeriodMaxSeconds)).toEqual([]);
  });
  it('refuses 7 days + 1 s, 0, fractions and a missing value', () => {
    expect(validateCustomAccessPeriod(7 * DAY + 1)).toEqual([
      { field: 'durationSeconds', message: 'durationSeconds must be between 1 s and 7 days' },
    ]);
    expect(fields(validateCustomAccessPeriod(0))).toEqual(['durationSeconds']);
    expect(fields(validateCustomAccessPeriod(2.5))).toEqual(['durationSeconds']);
    expect(validateCustomAccessPeriod(undefined)[0].message).toMatch(/required/);
  });
});

describe('validateAccessPeriod', () => {
  it('accepts CUSTOM and fixed periods up to 400 days', () => {
    expect(validateAccessPeriod('CUSTOM')).toEqual([]);
    expect(validateAccessPeriod(3600)).toEqual([]);
    expect(validateAccessPeriod(400 * DAY)).toEqual([]);
  });
  it('refuses other strings and out-of-range numbers', () => {
    expect(fields(validateAccessPeriod('custom'))).toEqual(['accessPeriodSeconds']);
    expect(fields(validateAccessPeriod(0))).toEqual(['accessPeriodSeconds']);
  });
});

describe('validateReason / validateNote', () => {
  it('requires 1–1000 characters of reason', () => {
    expect(validateReason('need it')).toEqual([]);
    expect(validateReason('x'.repeat(1000))).toEqual([]);
    expect(fields(validateReason(''))).toEqual(['reason']);
    expect(fields(validateReason('   '))).toEqual(['reason']);
    expect(fields(validateReason(undefined))).toEqual(['reason']);
    expect(fields(validateReason('x'.repeat(1001)))).toEqual(['reason']);
  });
  it('allows no note, or up to 1000 characters', () => {
    expect(validateNote(undefined)).toEqual([]);
    expect(validateNote(null)).toEqual([]);
    expect(validateNote('ok')).toEqual([]);
    expect(fields(validateNote('x'.repeat(1001)))).toEqual(['note']);
    expect(fields(validateNote(5))).toEqual(['note']);
  });
});

describe('validatePolicy', () => {
  it('accepts complete policies with features on or off', () => {
    expect(validatePolicy({ autoLock: null, accessRequests: null })).toEqual([]);
    expect(
      validatePolicy({
        autoLock: { durationSeconds: 90, approval: 'AUTOMATIC' },
        accessRequests: { accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' },
      }),
    ).toEqual([]);
  });

  it('names every bad field, with the prefix', () => {
    expect(
      fields(
        validatePolicy(
          {
            autoLock: { durationSeconds: 0, approval: 'SOMETIMES' },
            accessRequests: { accessPeriodSeconds: 'LONG', approval: 'MANUAL' },
          },
          'policy',
        ),
      ),
    ).toEqual([
      'policy.autoLock.durationSeconds',
      'policy.autoLock.approval',
      'policy.accessRequests.accessPeriodSeconds',
    ]);
  });

  it('requires both fields and an object', () => {
    expect(fields(validatePolicy({}))).toEqual(['autoLock', 'accessRequests']);
    expect(fields(validatePolicy([]))).toEqual(['policy']);
    expect(fields(validatePolicy({ autoLock: 5, accessRequests: null }))).toEqual(['autoLock']);
  });
});

describe('validatePolicyOverride', () => {
  it('lets fields be absent (inherit) or null (off)', () => {
    expect(validatePolicyOverride(undefined)).toEqual([]);
    expect(validatePolicyOverride({})).toEqual([]);
    expect(validatePolicyOverride({ autoLock: null })).toEqual([]);
  });
  it('validates present fields', () => {
    expect(
      fields(validatePolicyOverride({ accessRequests: { accessPeriodSeconds: 60 } }, 'policy')),
    ).toEqual(['policy.accessRequests.approval']);
    expect(fields(validatePolicyOverride('x'))).toEqual(['policy']);
  });
});
