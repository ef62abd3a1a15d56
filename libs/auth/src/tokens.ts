import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface JwtSettings {
  /** HS256 secret for user tokens (LAPSE_JWT_SECRET). */
  secret?: string;
  /** JWKS URL of an OIDC issuer (LAPSE_JWKS_URL, https only); used instead of the secret when set. */
  jwksUrl?: string;
  /** Required with a JWKS; checked on Lapse's own user tokens too when set. */
  issuer?: string;
  /** Required with a JWKS; checked on Lapse's own user tokens too when set. */
  audience?: string;
  /** Algorithms accepted from the JWKS (LAPSE_JWT_ALGORITHMS); Lapse's own tokens are HS256 only. */
  algorithms?: string[];
  /** HS256 secret for service and proxy tokens (LAPSE_SERVICE_SECRET). */
  serviceSecret?: string;
  /**
   * The name of the service verifying (`policy`, `requests`, …): a service token is accepted only
   * when its audience is this name. Without it no service token is accepted.
   */
  service?: string;
}

/**
 * Who a verified token speaks for. A service token names its caller (`svc`): a Lapse service, or
 * `proxy` with the proxy's id (`proxyId`) for tokens printed by `npm run token -- --proxy <id>`.
 */
export type TokenClaims =
  | { kind: 'user'; userId: string }
  | { kind: 'service'; service: string; proxyId?: string };

/** The caller name of every proxy token (`svc`); the proxy's own id is the token's subject. */
export const PROXY_CALLER = 'proxy';
/** The service proxies call: their tokens' audience. */
export const PROXY_AUDIENCE = 'access-tracking';
/** `iss` of service and proxy tokens. */
export const SERVICE_ISSUER = 'lapse-service';
const HS256 = ['HS256'];
const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];

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
    if (s.jwksUrl) {
      const url = new URL(s.jwksUrl);
      if (url.protocol !== 'https:') throw new Error('LAPSE_JWKS_URL must be an https:// URL');
      if (!s.issuer || !s.audience) {
        throw new Error('LAPSE_JWT_ISSUER and LAPSE_JWT_AUDIENCE must be set with LAPSE_JWKS_URL');
      }
      for (const alg of s.algorithms ?? []) {
        if (alg === 'none' || alg.startsWith('HS')) {
          throw new Error(`LAPSE_JWT_ALGORITHMS: ${alg} is not accepted from a JWKS`);
        }
      }
      this.jwks = createRemoteJWKSet(url);
    }
  }

  /** The claims of a token verified earlier and not yet expired, without any work; else undefined. */
  cachedClaims(token: string): TokenClaims | undefined {
    const hit = this.verified.get(token);
    return hit && hit.until > Date.now() ? hit.claims : undefined;
  }

  /** Throws when the token is malformed, expired, without `exp`, or signed with another key. */
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
      until: Math.min(exp * 1000, now + TokenVerifier.CACHE_MS),
    });
    return claims;
  }

  private async verifyUncached(token: string): Promise<{ claims: TokenClaims; exp: number }> {
    if (this.s.serviceSecret && this.s.service) {
      const svc = await jwtVerify(token, enc(this.s.serviceSecret), {
        algorithms: HS256,
        issuer: SERVICE_ISSUER,
        audience: this.s.service,
        requiredClaims: ['exp', 'svc'],
      }).catch(() => null);
      if (svc) return { claims: serviceClaimsOf(svc.payload), exp: svc.payload.exp as number };
    }
    const { payload } = this.jwks
      ? await jwtVerify(token, this.jwks, {
          issuer: this.s.issuer,
          audience: this.s.audience,
          algorithms: this.s.algorithms?.length ? this.s.algorithms : DEFAULT_JWKS_ALGORITHMS,
          requiredClaims: ['exp', 'sub'],
        })
      : await jwtVerify(token, enc(this.s.secret as string), {
          issuer: this.s.issuer,
          audience: this.s.audience,
          algorithms: HS256,
          requiredClaims: ['exp', 'sub'],
        });
    if (typeof payload.svc === 'string') throw new Error('a service claim in a user token');
    return { claims: { kind: 'user', userId: subjectOf(payload) }, exp: payload.exp as number };
  }
}

function serviceClaimsOf(p: JWTPayload): TokenClaims {
  const service = p.svc;
  if (typeof service !== 'string' || service.length === 0) throw new Error('token has no caller');
  if (service !== PROXY_CALLER) return { kind: 'service', service };
  return { kind: 'service', service, proxyId: subjectOf(p) };
}

function subjectOf(p: JWTPayload): string {
  if (typeof p.sub !== 'string' || p.sub.length === 0) throw new Error('token has no subject');
  return p.sub;
}

/** A user token (HS256) for `userId`; `npm run token` prints one. */
export async function signUserToken(
  secret: string,
  userId: string,
  ttl: string | number = '12h',
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

/**
 * A short-lived token the Lapse service `caller` uses to call the service `audience`; the callee
 * accepts it only on endpoints that list `caller` (`@AllowService(...)`).
 */
export async function signServiceToken(
  serviceSecret: string,
  caller: string,
  audience: string,
  ttl: string | number = '5m',
): Promise<string> {
  return new SignJWT({ svc: caller })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(SERVICE_ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(enc(serviceSecret));
}

/**
 * A proxy's token (`npm run token -- --proxy <id>`): caller `proxy`, subject the proxy's id,
 * audience access-tracking, where only `GET /v1/decisions` and `/v1/authz/*` accept it.
 */
export async function signProxyToken(
  serviceSecret: string,
  proxyId: string,
  ttl: string | number = '30d',
): Promise<string> {
  if (proxyId.length === 0 || proxyId.length > 200) throw new Error('proxy id: 1-200 characters');
  return new SignJWT({ svc: PROXY_CALLER })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(SERVICE_ISSUER)
    .setAudience(PROXY_AUDIENCE)
    .setSubject(proxyId)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(enc(serviceSecret));
}
