import { LapseError, errorBody, httpStatusOf, type LapseErrorKind } from './errors';

describe('errors', () => {
  it.each<[LapseErrorKind, number]>([
    ['VALIDATION', 400],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['PAYLOAD_TOO_LARGE', 413],
  ])('%s → %d', (kind, status) => {
    expect(httpStatusOf(kind)).toBe(status);
  });

  it('validation errors name the field', () => {
    const e = LapseError.validation('policy.autoLock.durationSeconds', 'must be at most 34560000');
    expect(e.field).toBe('policy.autoLock.durationSeconds');
    expect(e.message).toBe('policy.autoLock.durationSeconds: must be at most 34560000');
    expect(errorBody(400, e.message)).toEqual({ statusCode: 400, error: 'Bad Request', message: e.message });
  });
});
