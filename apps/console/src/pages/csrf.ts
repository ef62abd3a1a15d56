import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens of the pages: an HMAC of the session cookie (the `lapse_session` JWS) under a
 * server key. A form carries it in `_csrf`; a cross-site page cannot read it, and it changes with
 * the session, so no server-side state is needed.
 */
export function csrfTokenFor(key: string, sessionToken: string): string {
  return createHmac('sha256', key).update(`lapse-csrf\0${sessionToken}`).digest('base64url');
}

export function isValidCsrf(
  key: string,
  sessionToken: string | undefined,
  submitted: unknown,
): boolean {
  if (!sessionToken || typeof submitted !== 'string' || submitted.length === 0) return false;
  const expected = Buffer.from(csrfTokenFor(key, sessionToken));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The CSRF key: LAPSE_CSRF_SECRET, else derived from the session secret (same on every replica). */
export function csrfKey(csrfSecret: string | undefined, sessionSecret: string): string {
  return (
    csrfSecret ?? createHmac('sha256', sessionSecret).update('lapse-console-csrf-key').digest('hex')
  );
}
