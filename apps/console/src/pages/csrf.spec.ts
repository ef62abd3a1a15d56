import { csrfKey, csrfTokenFor, isValidCsrf } from './csrf';

describe('csrf', () => {
  const key = csrfKey(undefined, 'service-secret-of-some-length');

  it('accepts the token of the same session', () => {
    expect(isValidCsrf(key, 'jwt-a', csrfTokenFor(key, 'jwt-a'))).toBe(true);
  });

  it('refuses another session’s token, a missing one, or one under another key', () => {
    expect(isValidCsrf(key, 'jwt-b', csrfTokenFor(key, 'jwt-a'))).toBe(false);
    expect(isValidCsrf(key, 'jwt-a', undefined)).toBe(false);
    expect(isValidCsrf(key, 'jwt-a', '')).toBe(false);
    expect(isValidCsrf(key, undefined, csrfTokenFor(key, 'jwt-a'))).toBe(false);
    expect(
      isValidCsrf(csrfKey('another-explicit-key', 'x'), 'jwt-a', csrfTokenFor(key, 'jwt-a')),
    ).toBe(false);
  });
});
