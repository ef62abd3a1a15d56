import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where Lapse may send a request it is told to send (webhooks): never into the machine or the
 * private network it runs in (SSRF), unless an operator lists the host. The check is made on the
 * resolved addresses, and the sender connects to the address checked (no second resolution a
 * DNS rebinding could answer differently).
 */

/** Loopback, private, link-local (cloud metadata), shared, reserved and multicast ranges. */
const INTERNAL = (() => {
  const b = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8], // "this" network
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, 169.254.169.254 = cloud metadata
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ] as const)
    b.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96], // NAT64: embeds an IPv4 address
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link-local
    ['ff00::', 8], // multicast
  ] as const)
    b.addSubnet(net, prefix, 'ipv6');
  return b;
})();

/** Whether an IP address is loopback, private, link-local or otherwise not on the internet. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isInternalAddress(mapped[1]);
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family === 6) return INTERNAL.check(address, 'ipv6');
  return true; // not an address at all: never treated as public
}

/** `LAPSE_WEBHOOK_ALLOW_HOSTS`: host names or addresses that may be internal all the same. */
export function parseAllowHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => normalizeHost(h))
    .filter(Boolean);
}

function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
}

export interface ResolvedTarget {
  /** The address to connect to (checked). */
  address: string;
  family: 4 | 6;
}

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Resolves `url`'s host and returns the address to connect to, or throws `OutboundRefused`
 * naming why: not http(s), credentials in the URL, a name that does not resolve, or any
 * resolved address internal while neither the host nor that address is in `allowHosts`.
 */
export async function resolveOutbound(
  url: string | URL,
  allowHosts: readonly string[],
  lookup: Lookup = systemLookup,
): Promise<ResolvedTarget> {
  const u = typeof url === 'string' ? new URL(url) : url;
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new OutboundRefused('must be an http or https URL');
  }
  if (u.username || u.password) throw new OutboundRefused('must not carry credentials');
  const host = normalizeHost(u.hostname);
  const hostAllowed = allowHosts.includes(host);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host);
    } catch {
      throw new OutboundRefused(`host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new OutboundRefused(`host ${host} does not resolve`);
  // Every address must pass: the resolver may hand out any of them later.
  for (const a of addresses) {
    if (isInternalAddress(a.address) && !hostAllowed && !allowHosts.includes(a.address)) {
      throw new OutboundRefused(
        `${host} is a loopback, private or link-local address (${a.address}); list it in LAPSE_WEBHOOK_ALLOW_HOSTS to allow it`,
      );
    }
  }
  const first = addresses[0];
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A target Lapse refuses to send to; the message says why (a 400 at the settings API). */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/** The receiver's answer to a POST: its status and the start of its body. */
export interface OutboundAnswer {
  status: number;
  /** At most `maxBodyBytes` of the answer, as text. */
  body: string;
}

/**
 * One POST to `url`, connecting to `target.address` whatever DNS says now (the address
 * `resolveOutbound` checked); redirects are not followed. Answers the status and the first
 * `maxBodyBytes` of the body (the rest is read and dropped).
 */
export function postPinned(
  url: URL,
  target: ResolvedTarget,
  timeoutMs: number,
  body: string,
  headers: Record<string, string>,
  maxBodyBytes = 0,
): Promise<OutboundAnswer> {
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) {
      (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else cb(null, target.address, target.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const kept: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < maxBodyBytes) kept.push(d.subarray(0, maxBodyBytes - size));
          size += d.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(kept).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
