import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { grantKey } from '@lapse/contracts';
import { PROXY_CALLER, TokenVerifier, type TokenClaims } from '@lapse/auth';
import { counter } from '@lapse/platform';
import { ACCESS_TRACKING_CONFIG, type AccessTrackingConfig } from '../config';
import { decide } from '../decisions/decision';
import { GrantProjection } from '../grants/grant-projection';
import {
  answer,
  consolePages,
  isBrowser,
  type AuthzConvention,
  type AuthzOutcome,
  type AuthzResponse,
  type ConsolePages,
} from './authz-answer';
import { AuthzDirectory, type AuthzUser } from './authz-directory';
import { originalRequest } from './target';
import { UsagePublisher } from './usage-publisher';
import { SessionVerifier } from './session-verifier';

const outcomes = counter('lapse_authz_requests_total', 'Forward-auth checks by outcome', [
  'convention',
  'outcome',
]);

/** The header a proxy that is not in LAPSE_AUTHZ_TRUSTED_PROXIES sends its proxy token in. */
export const PROXY_TOKEN_HEADER = 'x-lapse-proxy-authorization';

/** What forward-auth needs of the proxy's check request. */
export interface AuthzCheck {
  method: string;
  headers: IncomingHttpHeaders;
  /** The TCP peer: the proxy. */
  remoteAddress: string | undefined;
  /** Envoy: the original path (what follows the ext-authz prefix, with its query). */
  ownPath?: string;
}

/** Which proxies may ask, and whose identity header is believed. */
export function trustedNetworks(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [ip, len] = c.split('/');
    const family = isIP(ip);
    if (family === 0) throw new Error(`LAPSE_AUTHZ_TRUSTED_PROXIES: ${c} is not a CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(ip, len === undefined ? (family === 4 ? 32 : 128) : Number(len), type);
  }
  return list;
}

export function isTrustedPeer(list: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  const family = isIP(v4);
  if (family === 0) return false;
  return list.check(v4, family === 4 ? 'ipv4' : 'ipv6');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return v.length > 0 ? v : undefined;
    }
  }
  return undefined;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Forward-auth: "may this request pass?" for nginx, Traefik, Caddy and Envoy, answered from
 * memory like decisions (the grant projection, the directory of users and resources by address);
 * no database or Temporal call. An allowed request is a use of the grant (UsagePublisher).
 */
@Injectable()
export class ForwardAuth {
  private readonly trusted: BlockList;
  private readonly trustedHeader?: string;
  private readonly pages: ConsolePages;

  constructor(
    @Inject(ACCESS_TRACKING_CONFIG) config: AccessTrackingConfig,
    private readonly directory: AuthzDirectory,
    private readonly projection: GrantProjection,
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionVerifier,
    private readonly usage: UsagePublisher,
  ) {
    this.trusted = trustedNetworks(config.LAPSE_AUTHZ_TRUSTED_PROXIES);
    this.trustedHeader = config.LAPSE_AUTHZ_TRUSTED_HEADER?.toLowerCase();
    this.pages = consolePages(config.LAPSE_CONSOLE_URL);
  }

  async check(convention: AuthzConvention, req: AuthzCheck): Promise<AuthzResponse> {
    const outcome = await this.outcome(req);
    outcomes.inc({ convention, outcome: outcome.kind });
    return answer(convention, outcome, isBrowser(single(req.headers.accept)), this.pages);
  }

  private async outcome(req: AuthzCheck): Promise<AuthzOutcome> {
    const trustedPeer = isTrustedPeer(this.trusted, req.remoteAddress);
    let proxyId = 'forward-auth';
    if (!trustedPeer) {
      const claims = await this.claimsOf(single(req.headers[PROXY_TOKEN_HEADER]));
      if (claims?.kind !== 'service' || claims.service !== PROXY_CALLER)
        return {
          kind: 'denied',
          reason: 'the caller is not a trusted proxy and sent no valid proxy token',
        };
      proxyId = claims.proxyId ?? PROXY_CALLER;
    }
    if (!this.directory.ready)
      return { kind: 'unavailable', reason: 'forward-auth is loading users and resources' };
    const original = originalRequest(req.headers, req.method, req.ownPath);
    if (!original)
      return {
        kind: 'bad-request',
        reason:
          'X-Original-URL, or X-Forwarded-Host with X-Forwarded-Uri, or Host: missing or invalid',
      };
    const resourceId = this.directory.resourceFor(original.target);
    if (!resourceId) return { kind: 'denied', reason: 'no Lapse resource at this address' };
    const user = await this.identify(req.headers, trustedPeer);
    if (!user) return { kind: 'sign-in', url: original.url };

    const now = Date.now();
    const decision = decide(
      this.projection.get(grantKey({ userId: user.id, resourceId: resourceId })),
      now,
    );
    if (decision.allowed) {
      this.usage.record(user.id, resourceId, now, proxyId);
      return { kind: 'allowed', userId: user.id, email: user.email, resourceId };
    }
    if (
      decision.state === 'LOCKED' ||
      decision.state === 'PENDING' ||
      decision.state === 'ACTIVE' // an ended access period: request access again
    )
      return {
        kind: 'blocked',
        resourceId,
        state: decision.state === 'ACTIVE' ? 'LOCKED' : decision.state,
        reason: decision.reason,
        url: original.url,
      };
    return { kind: 'denied', reason: decision.reason, state: decision.state, resourceId };
  }

  /**
   * The user: the `lapse_session` cookie, else a Lapse bearer token, else (only from a trusted
   * peer) the trusted identity header. The first credential that verifies wins; the user must
   * be known and active (an offboarded user is nobody: sign-in).
   */
  private async identify(
    headers: IncomingHttpHeaders,
    trustedPeer: boolean,
  ): Promise<AuthzUser | undefined> {
    const session = cookieValue(single(headers.cookie), 'lapse_session');
    if (session) {
      const userId = await this.sessions.userIdOf(session);
      const user = userId === undefined ? undefined : this.directory.userById(userId);
      if (user) return user;
    }
    const auth = single(headers.authorization);
    if (auth?.startsWith('Bearer ')) {
      const claims = await this.claimsOf(auth);
      const user = claims?.kind === 'user' ? this.directory.userById(claims.userId) : undefined;
      if (user) return user;
    }
    if (trustedPeer && this.trustedHeader) {
      const email = single(headers[this.trustedHeader]);
      if (email) return this.directory.userByEmail(email);
    }
    return undefined;
  }

  /** Claims of `Bearer <jwt>`, from the verifier's cache when it has seen the token. */
  private async claimsOf(auth: string | undefined): Promise<TokenClaims | undefined> {
    if (!auth?.startsWith('Bearer ')) return undefined;
    const token = auth.slice(7).trim();
    if (!token) return undefined;
    return this.verifier.cachedClaims(token) ?? this.verifier.verify(token).catch(() => undefined);
  }
}
