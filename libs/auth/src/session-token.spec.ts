import { SignJWT } from 'jose';
import {
  SESSION_AUDIENCE,
  SESSION_ISSUER,
  sessionCookieOptions,
  signSessionToken,
  verifySessionToken,
} from './session-token';

const secret = 'a-session-secret-of-32-bytes!!!!';
const session = (expiresAt = new Date(Date.now() + 3600_000)) => ({
  userId: 'u-1',
  email: 'ada@example.com',
  sessionId: 's-1',
  expiresAt,
});

describe('session token', () => {
  it('round-trips the session', async () => {
    const expiresAt = new Date(Math.floor(Date.now() / 1000 + 600) * 1000);
    const token = await signSessionToken(secret, session(expiresAt));
    await expect(verifySessionToken(token, secret)).resolves.toEqual({
      userId: 'u-1',
      email: 'ada@example.com',
      sessionId: 's-1',
      expiresAt,
    });
  });

  it('carries the agreed claims', async () => {
    const token = await signSessionToken(secret, session());
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      iss: 'lapse-console',
      aud: 'lapse-session',
      sub: 'u-1',
      email: 'ada@example.com',
      sid: 's-1',
    });
    expect(typeof claims.iat).toBe('number');
    expect(typeof claims.exp).toBe('number');
  });

  it('refuses an expired session', async () => {
    const token = await signSessionToken(secret, session(new Date(Date.now() - 120_000)));
    await expect(verifySessionToken(token, secret)).rejects.toThrow();
  });

  it('refuses another key', async () => {
    const token = await signSessionToken('x'.repeat(32), session());
    await expect(verifySessionToken(token, secret)).rejects.toThrow();
  });

  it('refuses a Lapse user token (no session audience) signed with the same key', async () => {
    const token = await new SignJWT({ email: 'a@b.c', sid: 's' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setIssuer(SESSION_ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verifySessionToken(token, secret)).rejects.toThrow();
  });

  it('refuses a token without a session id', async () => {
    const token = await new SignJWT({ email: 'a@b.c' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setIssuer(SESSION_ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verifySessionToken(token, secret)).rejects.toThrow(/session id/);
  });

  it('refuses a short secret', async () => {
    await expect(signSessionToken('short', session())).rejects.toThrow(/32 bytes/);
  });
});

describe('sessionCookieOptions', () => {
  it('is Secure except on plain http to localhost', () => {
    expect(sessionCookieOptions({ publicUrl: 'http://127.0.0.1:3000' }).secure).toBe(false);
    expect(sessionCookieOptions({ publicUrl: 'http://localhost:3000' }).secure).toBe(false);
    expect(sessionCookieOptions({ publicUrl: 'http://lapse.example.com' }).secure).toBe(true);
    expect(sessionCookieOptions({ publicUrl: 'https://localhost' }).secure).toBe(true);
  });

  it('is HttpOnly, SameSite=Lax and takes the cookie domain', () => {
    expect(
      sessionCookieOptions({ publicUrl: 'https://lapse.example.com', domain: 'example.com' }),
    ).toEqual({ httpOnly: true, sameSite: 'lax', secure: true, path: '/', domain: 'example.com' });
  });
});
