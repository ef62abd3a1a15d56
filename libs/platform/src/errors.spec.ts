import {
  LapseError,
  errorBody,
  httpStatusOf,
  isDependencyDown,
  type LapseErrorKind,
} from './errors';

describe('errors', () => {
  it.each<[LapseErrorKind, number]>([
    ['VALIDATION', 400],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNAVAILABLE', 503],
  ])('%s → %d', (kind, status) => {
    expect(httpStatusOf(kind)).toBe(status);
  });

  it('validation errors name the field', () => {
    const e = LapseError.validation('policy.autoLock.durationSeconds', 'must be at most 34560000');
    expect(e.field).toBe('policy.autoLock.durationSeconds');
    expect(e.message).toBe('policy.autoLock.durationSeconds: must be at most 34560000');
    expect(errorBody(400, e.message)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: e.message,
    });
  });

  describe('isDependencyDown', () => {
    const withCode = (code: unknown, extra: object = {}) =>
      Object.assign(new Error('x'), { code }, extra);

    it('sees refused and lost connections, also when wrapped (fetch failed → cause)', () => {
      expect(isDependencyDown(withCode('ECONNREFUSED'))).toBe(true);
      expect(
        isDependencyDown(new TypeError('fetch failed', { cause: withCode('ECONNRESET') })),
      ).toBe(true);
      expect(
        isDependencyDown(
          new Error('outer', { cause: new Error('middle', { cause: withCode('ETIMEDOUT') }) }),
        ),
      ).toBe(true);
      expect(
        isDependencyDown(
          Object.assign(new Error('The operation was aborted due to timeout'), {
            name: 'TimeoutError',
          }),
        ),
      ).toBe(true);
    });

    it('sees Postgres shutting down and gRPC UNAVAILABLE', () => {
      expect(isDependencyDown(withCode('57P01'))).toBe(true);
      expect(isDependencyDown(withCode(14, { metadata: {} }))).toBe(true);
      expect(isDependencyDown(LapseError.unavailable('the policy service'))).toBe(true);
    });

    it('does not take bugs or bad input for an outage', () => {
      expect(isDependencyDown(new Error('boom'))).toBe(false);
      expect(isDependencyDown(withCode('23505'))).toBe(false); // unique violation
      expect(isDependencyDown(withCode(14))).toBe(false); // a 14 that is not gRPC
      expect(isDependencyDown(LapseError.conflict('no'))).toBe(false);
      expect(isDependencyDown(undefined)).toBe(false);
      const loop: { cause?: unknown } = new Error('loop');
      loop.cause = loop;
      expect(isDependencyDown(loop)).toBe(false);
    });

    it('an unavailable error says what is down and keeps its cause', () => {
      const cause = withCode('ECONNREFUSED');
      const e = LapseError.unavailable('the policy service', cause);
      expect(e.message).toBe('the policy service is unavailable: try again shortly');
      expect(e.cause).toBe(cause);
    });
  });
});
