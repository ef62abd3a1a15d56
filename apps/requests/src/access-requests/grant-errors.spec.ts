import { GRANT_ERRORS, type GrantErrorType } from '@lapse/contracts';
import { httpStatusOf } from '@lapse/platform';
import { grantErrorToLapse, isGrantErrorType } from './grant-errors';

const fields = { reason: 'reason', duration: 'durationSeconds', note: 'note' };

describe('grantErrorToLapse', () => {
  it.each<[GrantErrorType, number]>([
    [GRANT_ERRORS.NOT_PENDING, 409],
    [GRANT_ERRORS.GRANT_TERMINAL, 409],
    [GRANT_ERRORS.NOT_LOCKED, 409],
    [GRANT_ERRORS.REQUEST_NOT_FOUND, 409],
    [GRANT_ERRORS.NO_REQUESTS, 409],
    [GRANT_ERRORS.SELF_REVIEW, 403],
    [GRANT_ERRORS.SELF_UNLOCK, 403],
    [GRANT_ERRORS.NOT_ACTIVE, 409],
    [GRANT_ERRORS.NOT_REQUESTER, 403],
    [GRANT_ERRORS.INVALID_DURATION, 400],
    [GRANT_ERRORS.INVALID_REASON, 400],
  ])('%s → %d', (type, status) => {
    expect(httpStatusOf(grantErrorToLapse(type, 'x', fields).kind)).toBe(status);
  });

  it('names the field of a bad duration or reason', () => {
    const d = grantErrorToLapse(
      GRANT_ERRORS.INVALID_DURATION,
      'durationSeconds must be between 1 s and 7 days',
      fields,
    );
    expect(d.message).toBe('durationSeconds: must be between 1 s and 7 days');
    expect(grantErrorToLapse(GRANT_ERRORS.INVALID_REASON, 'reason is required', fields).field).toBe(
      'reason',
    );
    expect(
      grantErrorToLapse(GRANT_ERRORS.INVALID_REASON, 'note must be a string', fields).field,
    ).toBe('note');
  });

  it('knows the contract types only', () => {
    expect(isGrantErrorType('RequestNotPending')).toBe(true);
    expect(isGrantErrorType('SomethingElse')).toBe(false);
    expect(isGrantErrorType(undefined)).toBe(false);
  });
});
