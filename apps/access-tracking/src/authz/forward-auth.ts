import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { grantKey } from '@lapse/contracts';
import { PROXY_CALLER, TokenVerifier, type TokenClaims } from '@lapse/auth';
import { counter } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
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
  /**
   * Asked over LAPSE_AUTHZ_SOCKET: a trusted proxy (the socket's file permissions decide who
   * may connect; a Unix socket peer has no address to check).
   */
  localSocket?: boolean;
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

/** A value now, or later when it needs I/O (a token or session not verified yet). */
export type Maybe<T> = T | Promise<T>;

/**
 * `f(v)`: at once when `v` is a value, once it settles when it is a promise (not named `then`:
 * a module exporting `then` is a thenable to `import()`). The common check
 * (a trusted proxy, a remembered credential or the trusted header) then creates no promise at
 * all: with async hooks enabled (request-scoped logging), each promise costs on every request.
 */
export function andThen<T, R>(v: Maybe<T>, f: (t: T) => Maybe<R>): Maybe<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** Peers remembered as trusted or not (proxies are few; the map is emptied if it grows past this). */
const PEERS_MAX = 1024;

/**
 * Forward-auth: "may this request pass?" for nginx, Traefik, Caddy and Envoy, answered from
 * memory like decisions (the grant projection, the directory of users and resources by address);
 * no database or Temporal call. An allowed request is a use of the grant (UsagePublisher).
 * Synchronous unless a credential must be verified for the first time.
 */
@Injectable()
export class ForwardAuth {
  private readonly trusted: BlockList;
  private readonly trustedHeader?: string;
  private readonly pages: ConsolePages;
  /** isTrustedPeer per peer address: BlockList.check builds a SocketAddress on every call. */
  private readonly peers = new Map<string | undefined, boolean>();
  private readonly counters = new Map<string, ReturnType<typeof outcomes.labels>>();

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

  check(convention: AuthzConvention, req: AuthzCheck): Maybe<AuthzResponse> {
    return andThen(this.outcome(req), (outcome) => {
      this.counted(convention, outcome.kind).inc();
      return answer(convention, outcome, isBrowser(single(req.headers.accept)), this.pages);
    });
  }

  private counted(convention: AuthzConvention, kind: AuthzOutcome['kind']) {
    const key = `${convention}:${kind}`;
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = outcomes.labels({ convention, outcome: kind })));
    return c;
  }

  private isTrusted(address: string | undefined): boolean {
    let trusted = this.peers.get(address);
    if (trusted === undefined) {
      if (this.peers.size >= PEERS_MAX) this.peers.clear();
      trusted = isTrustedPeer(this.trusted, address);
      this.peers.set(address, trusted);
    }
    return trusted;
  }

  private outcome(req: AuthzCheck): Maybe<AuthzOutcome> {
    if (req.localSocket || this.isTrusted(req.remoteAddress))
      return this.outcomeFor(req, true, 'forward-auth');
    return andThen(this.claimsOf(single(req.headers[PROXY_TOKEN_HEADER])), (claims) =>
      claims?.kind === 'service' && claims.service === PROXY_CALLER
        ? this.outcomeFor(req, false, claims.proxyId ?? PROXY_CALLER)
        : {
            kind: 'denied',
            reason: 'the caller is not a trusted proxy and sent no valid proxy token',
          },
    );
  }

  private outcomeFor(req: AuthzCheck, trustedPeer: boolean, proxyId: string): Maybe<AuthzOutcome> {
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
    return andThen(this.identify(req.headers, trustedPeer), (user): AuthzOutcome => {
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
    });
  }

  /**
   * The user: the `lapse_session` cookie, else a Lapse bearer token, else (only from a trusted
   * peer) the trusted identity header. The first credential that verifies wins; the user must
   * be known and active (an offboarded user is nobody: sign-in).
   */
  private identify(
    headers: IncomingHttpHeaders,
    trustedPeer: boolean,
  ): Maybe<AuthzUser | undefined> {
    const session = cookieValue(single(headers.cookie), 'lapse_session');
    return andThen(session ? this.sessions.userIdOf(session) : undefined, (userId) => {
      const bySession = userId === undefined ? undefined : this.directory.userById(userId);
      if (bySession) return bySession;
      const auth = single(headers.authorization);
      return andThen(auth?.startsWith('Bearer ') ? this.claimsOf(auth) : undefined, (claims) => {
        const byToken =
          claims?.kind === 'user' ? this.directory.userById(claims.userId) : undefined;
        if (byToken) return byToken;
        if (trustedPeer && this.trustedHeader) {
          const email = single(headers[this.trustedHeader]);
          if (email) return this.directory.userByEmail(email);
        }
        return undefined;
      });
    });
  }

  /** Claims of `Bearer <jwt>`: from the verifier's cache at once when it has seen the token. */
  private claimsOf(auth: string | undefined): Maybe<TokenClaims | undefined> {
    if (!auth?.startsWith('Bearer ')) return undefined;
    const token = auth.slice(7).trim();
    if (!token) return undefined;
    return this.verifier.cachedClaims(token) ?? this.verifier.verify(token).catch(() => undefined);
  }
}
