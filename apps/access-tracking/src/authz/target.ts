import type { IncomingHttpHeaders } from 'node:http';
import { targetOfUrl, type Target } from '@lapse/resource-address';

/** The request a proxy asks about: where it goes (for matching) and its URL (for return_to). */
export interface OriginalRequest {
  target: Target;
  /** The original URL, absolute (`return_to` of the sign-in and block pages). */
  url: string;
  method: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return undefined;
  // X-Forwarded-* may list several hops: the first is the client's.
  const comma = s.indexOf(',');
  return (comma === -1 ? s : s.slice(0, comma)).trim();
}

/**
 * The original request, from what each proxy convention sends:
 *  - `X-Original-URL` (+ `X-Original-Method`): nginx `auth_request` as configured in deploy/proxies;
 *  - `X-Forwarded-Host` + `-Uri` + `-Proto` + `-Method`: Traefik `ForwardAuth`, Caddy `forward_auth`;
 *  - otherwise the request's own `Host` and `ownPath` (Envoy `ext_authz`: the original path follows
 *    the endpoint's prefix), with `X-Forwarded-Proto` when present.
 * Undefined when no host can be found or the URL does not parse.
 */
export function originalRequest(
  headers: IncomingHttpHeaders,
  ownMethod: string,
  ownPath?: string,
): OriginalRequest | undefined {
  const original = header(headers, 'x-original-url');
  if (original) {
    return fromUrl(original, header(headers, 'x-original-method') ?? 'GET');
  }
  const fwdHost = header(headers, 'x-forwarded-host');
  const proto = (header(headers, 'x-forwarded-proto') ?? 'http').toLowerCase();
  if (fwdHost && ownPath === undefined) {
    const uri = header(headers, 'x-forwarded-uri') ?? '/';
    return fromUrl(
      `${proto}://${fwdHost}${uri.startsWith('/') ? uri : `/${uri}`}`,
      header(headers, 'x-forwarded-method') ?? 'GET',
    );
  }
  if (ownPath === undefined) return undefined;
  const host = header(headers, 'host');
  if (!host) return undefined;
  return fromUrl(
    `${proto}://${host}${ownPath.startsWith('/') ? ownPath : `/${ownPath}`}`,
    ownMethod,
  );
}

function fromUrl(raw: string, method: string): OriginalRequest | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const target = targetOfUrl(url);
  return target && { target, url: url.toString(), method: method.toUpperCase() };
}
