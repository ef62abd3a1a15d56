import { GRANT_ERRORS, type GrantErrorType } from '@lapse/contracts';
import { httpStatusOf } from '@lapse/platform';
import { grantErrorToLapse, isGrantErrorType } from './grant-errors';

describe('grantErrorToLapse', () => {
  // Every type the workflow refuses with: a new one fails here until it is mapped.
  const statuses: Record<GrantErrorType, number> = {
    [GRANT_ERRORS.NOT_PENDING]: 409,
    [GRANT_ERRORS.GRANT_TERMINAL]: 409,
    [GRANT_ERRORS.NOT_LOCKED]: 409,
    [GRANT_ERRORS.REQUEST_NOT_FOUND]: 409,
    [GRANT_ERRORS.SELF_REVIEW]: 403,
    [GRANT_ERRORS.SELF_UNLOCK]: 403,
    [GRANT_ERRORS.NOT_ACTIVE]: 409,
    [GRANT_ERRORS.NOT_GRANT_USER]: 403,
    [GRANT_ERRORS.INVALID_DURATION]: 400,
    [GRANT_ERRORS.INVALID_REASON]: 400,
    [GRANT_ERRORS.INVALID_NOTE]: 400,
    [GRANT_ERRORS.INVALID_DECISION]: 400,
    [GRANT_ERRORS.INVALID_REQUEST_ID]: 400,
  };

  it.each(Object.entries(statuses))('%s → %d', (type, status) => {
    expect(httpStatusOf(grantErrorToLapse(type as GrantErrorType, 'x').kind)).toBe(status);
  });

  it('names the field each invalid input stands for', () => {
    const d = grantErrorToLapse(
      GRANT_ERRORS.INVALID_DURATION,
      'durationSeconds must be between 1 s and 7 days',
    );
    expect(d.field).toBe('durationSeconds');
    expect(d.message).toBe('durationSeconds: must be between 1 s and 7 days');
    expect(grantErrorToLapse(GRANT_ERRORS.INVALID_REASON, 'reason is required').field).toBe(
      'reason',
    );
    expect(grantErrorToLapse(GRANT_ERRORS.INVALID_NOTE, 'note must be a string').message).toBe(
      'note: must be a string',
    );
    expect(grantErrorToLapse(GRANT_ERRORS.INVALID_DECISION, 'x').field).toBe('decision');
    expect(grantErrorToLapse(GRANT_ERRORS.INVALID_REQUEST_ID, 'x').field).toBe('requestId');
  });

  it('knows the contract types only', () => {
    expect(isGrantErrorType('RequestNotPending')).toBe(true);
    expect(isGrantErrorType('SomethingElse')).toBe(false);
    expect(isGrantErrorType(undefined)).toBe(false);
  });
});
