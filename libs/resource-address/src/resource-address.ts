import { isIP } from 'node:net';

/**
 * A resource's address (what the proxies protect), parsed. The forms:
 *  - `host`: `gitlab.internal.example` (any port, any path)
 *  - `wildcard`: `*.corp.example` (every name below corp.example, not corp.example itself)
 *  - `host` with a port: `db.internal.example:5432` (that port only)
 *  - `cidr`: `10.2.0.0/16` (targets addressed by an IP literal in the range)
 *  - `host` with a path prefix: `https://tools.example/grafana` (that path and below it, on
 *    segment boundaries: `/grafana`, `/grafana/x`, not `/grafanax`; the scheme is not compared,
 *    a port in the URL is)
 */
export type ResourceAddress =
  | { kind: 'host'; host: string; port: number | null; path: string[] }
  | { kind: 'wildcard'; suffix: string }
  | { kind: 'cidr'; family: 4 | 6; network: bigint; prefix: number };

/** What a request is for, as the proxy reports it. */
export interface Target {
  host: string;
  /** The effective port (explicit, else the scheme's default). */
  port: number;
  /** Decoded path segments, empty ones dropped. */
  path: string[];
}

/** Lower case, no trailing dot, no IPv6 brackets. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

const HOST_RE = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

function validHost(h: string): boolean {
  return h.length > 0 && h.length <= 253 && (HOST_RE.test(h) || isIP(h) !== 0);
}

/** The address parsed, or undefined when it is none of the forms (such a resource matches nothing). */
export function parseAddress(raw: string): ResourceAddress | undefined {
  const a = raw.trim();
  if (a.includes('://')) {
    let url: URL;
    try {
      url = new URL(a);
    } catch {
      return undefined;
    }
    const host = normalizeHost(url.hostname);
    if (!validHost(host)) return undefined;
    return {
      kind: 'host',
      host,
      port: url.port ? Number(url.port) : null,
      path: pathSegments(url.pathname),
    };
  }
  if (a.includes('/')) return parseCidr(a);
  const lower = normalizeHost(a);
  if (lower.startsWith('*.')) {
    const suffix = lower.slice(2);
    return validHost(suffix) && isIP(suffix) === 0 ? { kind: 'wildcard', suffix } : undefined;
  }
  if (isIP(lower) === 6) return { kind: 'host', host: lower, port: null, path: [] };
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(a.trim());
  if (m) {
    const host = normalizeHost(m[1]);
    const port = Number(m[2]);
    if (!validHost(host) || port < 1 || port > 65535) return undefined;
    return { kind: 'host', host, port, path: [] };
  }
  return validHost(lower) ? { kind: 'host', host: lower, port: null, path: [] } : undefined;
}

function parseCidr(a: string): ResourceAddress | undefined {
  const [ip, len, ...rest] = a.split('/');
  if (rest.length > 0 || !/^\d{1,3}$/.test(len ?? '')) return undefined;
  const family = isIP(ip);
  if (family === 0) return undefined;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(len);
  if (prefix > bits) return undefined;
  const value = ipValue(ip, family as 4 | 6);
  return { kind: 'cidr', family: family as 4 | 6, network: mask(value, prefix, bits), prefix };
}

/** An IP literal as a number (IPv4 in 32 bits, IPv6 in 128). */
export function ipValue(ip: string, family: 4 | 6): bigint {
  if (family === 4) {
    return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  let groups: string[];
  const tail = ip.includes('.') ? ip.slice(ip.lastIndexOf(':') + 1) : undefined;
  let head = tail ? ip.slice(0, ip.lastIndexOf(':') + 1) : ip;
  if (tail) {
    const v4 = ipValue(tail, 4);
    head += `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  if (head.includes('::')) {
    const [l, r] = head.split('::');
    const left = l ? l.split(':') : [];
    const right = r ? r.split(':') : [];
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  } else {
    groups = head.split(':');
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function mask(value: bigint, prefix: number, bits: number): bigint {
  if (prefix === 0) return 0n;
  const shift = BigInt(bits - prefix);
  return (value >> shift) << shift;
}

interface PathNode {
  resourceId?: string;
  children: Map<string, PathNode>;
}

const newNode = (): PathNode => ({ children: new Map() });

/**
 * Resources by address, for the forward-auth path: a lookup costs a few map reads, whatever the
 * number of resources (hash maps and a path trie, never a scan of the resources).
 *
 * The best fit (the longest match) wins:
 *  1. an exact host beats a wildcard, which beats a CIDR;
 *  2. among a host's addresses, the longest path prefix wins, then a port-specific one;
 *  3. among wildcards, the longest suffix (`*.a.corp.example` over `*.corp.example`);
 *  4. among CIDRs, the longest prefix (`10.2.3.0/24` over `10.2.0.0/16`).
 * Two resources with the same address: the one indexed last is kept (the index reports it).
 */
export class ResourceAddressIndex {
  /** host → port (0 = any) → path trie. */
  private readonly hosts = new Map<string, Map<number, PathNode>>();
  private readonly wildcards = new Map<string, string>();
  /** family → prefix length → network → resource. */
  private readonly cidrs = new Map<4 | 6, Map<number, Map<bigint, string>>>();
  /** Prefix lengths present per family, longest first. */
  private readonly cidrLengths = new Map<4 | 6, number[]>();
  private readonly byResource = new Map<string, ResourceAddress>();

  get size(): number {
    return this.byResource.size;
  }

  /** Indexes (or re-indexes) a resource; returns false when its address is none of the forms. */
  set(resourceId: string, address: string): boolean {
    this.delete(resourceId);
    const parsed = parseAddress(address);
    if (!parsed) return false;
    this.byResource.set(resourceId, parsed);
    switch (parsed.kind) {
      case 'host': {
        let ports = this.hosts.get(parsed.host);
        if (!ports) this.hosts.set(parsed.host, (ports = new Map()));
        const portKey = parsed.port ?? 0;
        let node: PathNode | undefined = ports.get(portKey);
        if (!node) ports.set(portKey, (node = newNode()));
        for (const seg of parsed.path) {
          let next: PathNode | undefined = node.children.get(seg);
          if (!next) node.children.set(seg, (next = newNode()));
          node = next;
        }
        node.resourceId = resourceId;
        break;
      }
      case 'wildcard':
        this.wildcards.set(parsed.suffix, resourceId);
        break;
      case 'cidr': {
        let lengths = this.cidrs.get(parsed.family);
        if (!lengths) this.cidrs.set(parsed.family, (lengths = new Map()));
        let nets = lengths.get(parsed.prefix);
        if (!nets) lengths.set(parsed.prefix, (nets = new Map()));
        nets.set(parsed.network, resourceId);
        this.cidrLengths.set(
          parsed.family,
          [...lengths.keys()].sort((a, b) => b - a),
        );
        break;
      }
    }
    return true;
  }

  delete(resourceId: string): void {
    const parsed = this.byResource.get(resourceId);
    if (!parsed) return;
    this.byResource.delete(resourceId);
    switch (parsed.kind) {
      case 'host': {
        const ports = this.hosts.get(parsed.host);
        const root = ports?.get(parsed.port ?? 0);
        if (!ports || !root) return;
        const trail: PathNode[] = [root];
        let node: PathNode | undefined = root;
        for (const seg of parsed.path) {
          node = node.children.get(seg);
          if (!node) return;
          trail.push(node);
        }
        if (node.resourceId === resourceId) node.resourceId = undefined;
        // Prune empty nodes from the leaf up.
        for (let i = trail.length - 1; i > 0; i--) {
          const n = trail[i];
          if (n.resourceId || n.children.size > 0) break;
          trail[i - 1].children.delete(parsed.path[i - 1]);
        }
        if (!root.resourceId && root.children.size === 0) ports.delete(parsed.port ?? 0);
        if (ports.size === 0) this.hosts.delete(parsed.host);
        return;
      }
      case 'wildcard':
        if (this.wildcards.get(parsed.suffix) === resourceId) this.wildcards.delete(parsed.suffix);
        return;
      case 'cidr': {
        const lengths = this.cidrs.get(parsed.family);
        const nets = lengths?.get(parsed.prefix);
        if (!lengths || !nets) return;
        if (nets.get(parsed.network) === resourceId) nets.delete(parsed.network);
        if (nets.size === 0) {
          lengths.delete(parsed.prefix);
          this.cidrLengths.set(
            parsed.family,
            [...lengths.keys()].sort((a, b) => b - a),
          );
        }
        return;
      }
    }
  }

  /** The resource whose address fits the target best, or undefined. */
  match(target: Target): string | undefined {
    const host = normalizeHost(target.host);
    const ports = this.hosts.get(host);
    if (ports) {
      const specific = ports.get(target.port);
      const any = ports.get(0);
      const a = specific ? deepest(specific, target.path) : undefined;
      const b = any ? deepest(any, target.path) : undefined;
      if (a && (!b || a.depth >= b.depth)) return a.resourceId;
      if (b) return b.resourceId;
    }
    const family = isIP(host);
    if (family === 0) {
      for (let i = host.indexOf('.'); i !== -1; i = host.indexOf('.', i + 1)) {
        const hit = this.wildcards.get(host.slice(i + 1));
        if (hit) return hit;
      }
      return undefined;
    }
    const f = family as 4 | 6;
    const lengths = this.cidrLengths.get(f);
    const byLength = this.cidrs.get(f);
    if (!lengths || !byLength) return undefined;
    const bits = f === 4 ? 32 : 128;
    const value = ipValue(host, f);
    for (const len of lengths) {
      const hit = byLength.get(len)?.get(mask(value, len, bits));
      if (hit) return hit;
    }
    return undefined;
  }
}

function deepest(
  root: PathNode,
  path: readonly string[],
): { resourceId: string; depth: number } | undefined {
  let best = root.resourceId ? { resourceId: root.resourceId, depth: 0 } : undefined;
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const next = node.children.get(path[i]);
    if (!next) break;
    node = next;
    if (node.resourceId) best = { resourceId: node.resourceId, depth: i + 1 };
  }
  return best;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Where an http(s) URL goes, as a target to match; undefined for any other URL. */
export function targetOfUrl(url: URL): Target | undefined {
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
  if (!url.hostname || port === undefined) return undefined;
  return { host: url.hostname, port, path: pathSegments(url.pathname) };
}

/** Whether `address` (any of the forms) covers `url`, by the rules forward-auth matches with. */
export function addressCovers(address: string, url: URL): boolean {
  const target = targetOfUrl(url);
  if (!target) return false;
  const index = new ResourceAddressIndex();
  return index.set('resource', address) && index.match(target) === 'resource';
}
