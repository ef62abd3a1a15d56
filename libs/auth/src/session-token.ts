import { SignJWT, jwtVerify } from 'jose';

/**
 * The `lapse_session` cookie: a compact JWS (HS256, key LAPSE_SESSION_SECRET) the console sets at
 * sign-in and every Lapse component that sees a browser (the console, forward-auth) verifies the
 * same way. The console also keeps the session server-side, so sign-out and offboarding end it.
 */
export const SESSION_COOKIE = 'lapse_session';
export const SESSION_ISSUER = 'lapse-console';
export const SESSION_AUDIENCE = 'lapse-session';
/** Default session lifetime: 12 hours. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** The shortest accepted LAPSE_SESSION_SECRET, in bytes. */
export const SESSION_SECRET_MIN_BYTES = 32;

export interface SessionClaims {
  userId: string;
  email: string;
  sessionId: string;
  /** When the session ends (the token's `exp`). */
  expiresAt: Date;
}

const keyOf = (secret: string): Uint8Array => {
  const key = new TextEncoder().encode(secret);
  if (key.length < SESSION_SECRET_MIN_BYTES)
    throw new Error(`LAPSE_SESSION_SECRET must be at least ${SESSION_SECRET_MIN_BYTES} bytes`);
  return key;
};

/** The cookie value for a new session of `userId`. */
export async function signSessionToken(
  secret: string,
  session: { userId: string; email: string; sessionId: string; expiresAt: Date },
  now: Date = new Date(),
): Promise<string> {
  return new SignJWT({ email: session.email, sid: session.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setSubject(session.userId)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(session.expiresAt.getTime() / 1000))
    .sign(keyOf(secret));
}

/**
 * The claims of a session cookie; throws when it is malformed, expired, signed with another key,
 * or not a Lapse session (issuer, audience, missing `sub`, `email` or `sid`).
 */
export async function verifySessionToken(token: string, secret: string): Promise<SessionClaims> {
  const { payload } = await jwtVerify(token, keyOf(secret), {
    algorithms: ['HS256'],
    issuer: SESSION_ISSUER,
    audience: SESSION_AUDIENCE,
    requiredClaims: ['sub', 'exp', 'iat'],
  });
  const { sub, email, sid, exp } = payload;
  if (typeof sub !== 'string' || sub === '') throw new Error('session token has no subject');
  if (typeof email !== 'string' || email === '') throw new Error('session token has no email');
  if (typeof sid !== 'string' || sid === '') throw new Error('session token has no session id');
  return { userId: sub, email, sessionId: sid, expiresAt: new Date((exp as number) * 1000) };
}

/**
 * Attributes of the session cookie: HttpOnly, SameSite=Lax, Secure unless the console is served
 * over plain http on localhost/127.0.0.1, Domain from LAPSE_COOKIE_DOMAIN when set.
 */
export function sessionCookieOptions(opts: { publicUrl: string; domain?: string }): {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  domain?: string;
} {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: !isLocalHttp(opts.publicUrl),
    path: '/',
    ...(opts.domain ? { domain: opts.domain } : {}),
  };
}

function isLocalHttp(url: string): boolean {
  const u = new URL(url);
  return (
    u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname.toLowerCase())
  );
}
