import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface JwtSettings {
  /** HS256 secret for user tokens (LAPSE_JWT_SECRET). */
  secret?: string;
  /** JWKS URL of an OIDC issuer (LAPSE_JWKS_URL); used instead of the secret when set. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** HS256 secret for service-to-service tokens (LAPSE_SERVICE_SECRET). */
  serviceSecret?: string;
}

export type TokenClaims = { kind: 'user'; userId: string } | { kind: 'service'; service: string };

const enc = (s: string) => new TextEncoder().encode(s);

/** Verifies Bearer tokens: user tokens (HS256 or JWKS) and Lapse service tokens. */
export class TokenVerifier {
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  /**
   * Verified tokens, kept until they expire (at most a minute): proxies send the same service
   * token on every decision request, and a signature check per request is wasted work.
   */
  private readonly verified = new Map<string, { claims: TokenClaims; until: number }>();
  private static readonly CACHE_MAX = 10_000;
  private static readonly CACHE_MS = 60_000;

  constructor(private readonly s: JwtSettings) {
    if (!s.secret && !s.jwksUrl) throw new Error('LAPSE_JWT_SECRET or LAPSE_JWKS_URL must be set');
    if (s.jwksUrl) this.jwks = createRemoteJWKSet(new URL(s.jwksUrl));
  }

  /** The claims of a token verified earlier and not yet expired, without any work; else undefined. */
  cachedClaims(token: string): TokenClaims | undefined {
    const hit = this.verified.get(token);
    return hit && hit.until > Date.now() ? hit.claims : undefined;
  }

  /** Throws when the token is malformed, expired, or signed with another key. */
  async verify(token: string): Promise<TokenClaims> {
    const hit = this.cachedClaims(token);
    if (hit) return hit;
    const now = Date.now();
    const { claims, exp } = await this.verifyUncached(token);
    if (this.verified.size >= TokenVerifier.CACHE_MAX) {
      // Oldest first (insertion order): drop it.
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, {
      claims,
      until: Math.min(exp ? exp * 1000 : Infinity, now + TokenVerifier.CACHE_MS),
    });
    return claims;
  }

  private async verifyUncached(token: string): Promise<{ claims: TokenClaims; exp?: number }> {
    if (this.s.serviceSecret) {
      const svc = await jwtVerify(token, enc(this.s.serviceSecret), {
        algorithms: ['HS256'],
      }).catch(() => null);
      if (svc && typeof svc.payload.svc === 'string') {
        return { claims: { kind: 'service', service: svc.payload.svc }, exp: svc.payload.exp };
      }
    }
    const opts = { issuer: this.s.issuer, audience: this.s.audience };
    const { payload } = this.jwks
      ? await jwtVerify(token, this.jwks, opts)
      : await jwtVerify(token, enc(this.s.secret as string), { ...opts, algorithms: ['HS256'] });
    return { claims: { kind: 'user', userId: subjectOf(payload) }, exp: payload.exp };
  }
}

function subjectOf(p: JWTPayload): string {
  if (typeof p.sub !== 'string' || p.sub.length === 0) throw new Error('token has no subject');
  return p.sub;
}

/** A user token (HS256) for `userId`; `npm run token` prints one. */
export async function signUserToken(
  secret: string,
  userId: string,
  ttl = '12h',
  extra: { issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(ttl);
  if (extra.issuer) jwt = jwt.setIssuer(extra.issuer);
  if (extra.audience) jwt = jwt.setAudience(extra.audience);
  return jwt.sign(enc(secret));
}

/** A short-lived token one Lapse service uses to call another. */
export async function signServiceToken(
  serviceSecret: string,
  service: string,
  ttl = '5m',
): Promise<string> {
  return new SignJWT({ svc: service })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(enc(serviceSecret));
}
