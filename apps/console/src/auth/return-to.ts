import { BlockList, isIP } from 'node:net';

/**
 * Where a user may be sent after sign-in or from the block page (`return_to`): a page of the
 * console itself, or an address of a known resource (no open redirect). Anything else is
 * dropped (the caller falls back to the landing page).
 */
export function safeReturnTo(
  raw: unknown,
  ctx: { consoleUrl: string; resourceAddresses: readonly string[] },
): string | null {
  if (typeof raw !== 'string' || raw === '' || raw.length > 2048) return null;
  // Backslashes and control characters are read differently by browsers: refuse them outright.
  if (
    raw.includes('\\') ||
    [...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  )
    return null;
  const console = new URL(ctx.consoleUrl);
  let url: URL;
  try {
    url = raw.startsWith('/') && !raw.startsWith('//') ? new URL(raw, console) : new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  if (url.origin === console.origin) return `${url.pathname}${url.search}${url.hash}`;
  return ctx.resourceAddresses.some((a) => addressCovers(a, url)) ? url.href : null;
}

/** Whether the resource address (host, `*.domain`, `host:port`, CIDR, or URL with a path prefix) covers `url`. */
export function addressCovers(address: string, url: URL): boolean {
  const a = address.trim().toLowerCase();
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (a.includes('://')) {
    let base: URL;
    try {
      base = new URL(a);
    } catch {
      return false;
    }
    if (base.origin !== url.origin) return false;
    const prefix = base.pathname.replace(/\/+$/, '');
    return prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
  }
  if (a.includes('/')) return cidrContains(a, host);
  if (a.startsWith('*.')) return host.endsWith(a.slice(1)) && host.length > a.length - 1;
  const portMatch = /^(.+):(\d+)$/.exec(a);
  if (portMatch && !a.includes('::')) {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return host === portMatch[1] && port === portMatch[2];
  }
  return host === a;
}

function cidrContains(cidr: string, host: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const family = isIP(net);
  const bits = Number(bitsText);
  if (!family || isIP(host) !== family || !Number.isInteger(bits)) return false;
  const list = new BlockList();
  try {
    list.addSubnet(net, bits, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}
