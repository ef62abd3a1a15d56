/**
 * What forward-auth answers, per proxy convention: pure, from the outcome of the check.
 *
 *  - `auth-request` (nginx `auth_request`): 200 allow; 401 with `X-Lapse-Location` when a browser
 *    should go somewhere (sign-in, the block page) so `error_page 401` redirects; 401 without it
 *    when an API client must authenticate; 403 otherwise. nginx cannot pass the body of a refusal
 *    on, so the state and reason travel as `X-Lapse-State` / `X-Lapse-Reason` headers.
 *  - `forward-auth` (Traefik, Caddy) and `ext-authz` (Envoy): 200 allow; 302 to sign-in or the
 *    block page for a browser; 401/403 with a JSON error body for other clients (the proxy hands
 *    the refusal to the client as it is).
 */
export type AuthzConvention = 'auth-request' | 'forward-auth' | 'ext-authz';

export type AuthzOutcome =
  | { kind: 'allowed'; userId: string; email: string; resourceId: string }
  /** No user could be identified: sign in, then come back to `url`. */
  | { kind: 'sign-in'; url: string }
  /** LOCKED or PENDING (or an ended JIT period): the block page, then back to `url`. */
  | { kind: 'blocked'; resourceId: string; state: string; reason: string; url: string }
  /** No grant, EXPIRED, REVOKED, no resource at this address, an untrusted caller. */
  | { kind: 'denied'; reason: string; state?: string; resourceId?: string }
  /** The proxy did not say which request it asks about. */
  | { kind: 'bad-request'; reason: string }
  /** The directory of users and resources is not loaded yet. */
  | { kind: 'unavailable'; reason: string };

export interface AuthzResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** Where the console serves sign-in and the block page. */
export interface ConsolePages {
  signIn: (returnTo: string) => string;
  blockPage: (resourceId: string, returnTo: string) => string;
}

export function consolePages(consoleUrl: string): ConsolePages {
  const base = consoleUrl.replace(/\/+$/, '');
  return {
    signIn: (returnTo) => `${base}/auth/login?return_to=${encodeURIComponent(returnTo)}`,
    blockPage: (resourceId, returnTo) =>
      `${base}/request/${encodeURIComponent(resourceId)}?return_to=${encodeURIComponent(returnTo)}`,
  };
}

/** A browser navigates (it accepts HTML); anything else is an API client. */
export function isBrowser(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

const ERRORS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

function json(
  status: number,
  message: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
): AuthzResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify({ statusCode: status, error: ERRORS[status], message, ...extra }),
  };
}

/**
 * The `Vary` of every forward-auth answer: the request headers its user comes from (the session
 * cookie, a bearer token, the trusted identity header when one is configured). A proxy that
 * caches answers (deploy/proxies/nginx's opt-in auth cache) keeps one per value of each, so two
 * users never share an answer, whatever header the operator configured.
 */
export function authzVary(trustedHeader: string | undefined): string {
  return ['Cookie', 'Authorization', ...(trustedHeader ? [trustedHeader] : [])].join(', ');
}

/** Header values are ASCII without CR/LF: the reasons are Lapse's own text, kept that way. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, ' ');

export function answer(
  convention: AuthzConvention,
  outcome: AuthzOutcome,
  browser: boolean,
  pages: ConsolePages,
): AuthzResponse {
  const nginx = convention === 'auth-request';
  switch (outcome.kind) {
    case 'allowed':
      return {
        status: 200,
        headers: {
          'x-lapse-user-id': outcome.userId,
          'x-lapse-user-email': headerSafe(outcome.email),
          'x-lapse-resource-id': outcome.resourceId,
        },
      };
    case 'sign-in': {
      const reason = 'sign in to reach this resource';
      if (browser) {
        const location = pages.signIn(outcome.url);
        return nginx
          ? { status: 401, headers: { 'x-lapse-location': location, 'x-lapse-reason': reason } }
          : { status: 302, headers: { location } };
      }
      return json(401, reason, {}, { 'www-authenticate': 'Bearer', 'x-lapse-reason': reason });
    }
    case 'blocked': {
      const location = pages.blockPage(outcome.resourceId, outcome.url);
      const headers = {
        'x-lapse-state': outcome.state,
        'x-lapse-reason': headerSafe(outcome.reason),
        'x-lapse-resource-id': outcome.resourceId,
      };
      if (browser) {
        return nginx
          ? { status: 401, headers: { 'x-lapse-location': location, ...headers } }
          : { status: 302, headers: { location } };
      }
      return json(
        403,
        outcome.reason,
        { state: outcome.state, resourceId: outcome.resourceId, requestUrl: location },
        headers,
      );
    }
    case 'denied': {
      const headers: Record<string, string> = { 'x-lapse-reason': headerSafe(outcome.reason) };
      if (outcome.state) headers['x-lapse-state'] = outcome.state;
      const extra: Record<string, string> = {};
      if (outcome.state) extra.state = outcome.state;
      if (outcome.resourceId) extra.resourceId = outcome.resourceId;
      return json(403, outcome.reason, extra, headers);
    }
    case 'bad-request':
      return json(400, outcome.reason);
    case 'unavailable':
      return json(503, outcome.reason, {}, { 'retry-after': '1' });
  }
}
