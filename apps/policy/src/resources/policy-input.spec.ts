import { LapseError } from '@lapse/platform';
import { parseOverride, parsePolicy } from './policy-input';

const DAY = 86_400;
function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as LapseError).field;
  }
  return undefined;
}

describe('parsePolicy', () => {
  it.each([1, 7, 30, 60, 90])('accepts the %i-day preset', (d) => {
    expect(
      parsePolicy({
        autoLock: { durationSeconds: d * DAY, approval: 'MANUAL' },
        accessRequests: null,
      }),
    ).toEqual({
      autoLock: { durationSeconds: d * DAY, approval: 'MANUAL' },
      accessRequests: null,
    });
  });
  it('accepts any whole number of seconds within the limits', () => {
    expect(
      parsePolicy({ autoLock: { durationSeconds: 5, approval: 'AUTOMATIC' }, accessRequests: null })
        .autoLock?.durationSeconds,
    ).toBe(5);
  });
  it('names out-of-range, wrong-typed and unknown fields', () => {
    expect(
      fieldOf(() =>
        parsePolicy({
          autoLock: { durationSeconds: 400 * DAY + 1, approval: 'MANUAL' },
          accessRequests: null,
        }),
      ),
    ).toBe('policy.autoLock.durationSeconds');
    expect(
      fieldOf(() =>
        parsePolicy({
          autoLock: { durationSeconds: '30', approval: 'MANUAL' },
          accessRequests: null,
        }),
      ),
    ).toBe('policy.autoLock.durationSeconds');
    expect(fieldOf(() => parsePolicy({ autoLock: null, accessRequests: null, extra: 1 }))).toBe(
      'policy.extra',
    );
    expect(
      fieldOf(() =>
        parsePolicy({
          autoLock: { durationSeconds: 60, approval: 'MANUAL', x: 1 },
          accessRequests: null,
        }),
      ),
    ).toBe('policy.autoLock.x');
    expect(fieldOf(() => parsePolicy({ autoLock: null }))).toBe('policy.accessRequests');
  });
  it('the error message names the field once', () => {
    try {
      parsePolicy({ autoLock: { durationSeconds: 0, approval: 'MANUAL' }, accessRequests: null });
    } catch (e) {
      expect((e as Error).message).toBe(
        'policy.autoLock.durationSeconds: must be between 1 s and 400 days',
      );
    }
    expect.assertions(1);
  });
});

describe('parseOverride', () => {
  it('keeps present fields only (absent = inherit, null = off)', () => {
    expect(parseOverride(undefined)).toEqual({});
    expect(parseOverride(null)).toEqual({});
    expect(parseOverride({ autoLock: null })).toEqual({ autoLock: null });
    expect(
      parseOverride({ accessRequests: { accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' } }),
    ).toEqual({
      accessRequests: { accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' },
    });
  });
  it('refuses bad fields', () => {
    expect(
      fieldOf(() => parseOverride({ autoLock: { durationSeconds: 0, approval: 'MANUAL' } })),
    ).toBe('policy.autoLock.durationSeconds');
    expect(fieldOf(() => parseOverride({ bogus: true }))).toBe('policy.bogus');
  });
});
