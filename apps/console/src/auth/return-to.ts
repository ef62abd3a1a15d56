import { addressCovers } from '@lapse/resource-address';

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
