import { GRANT_STATES, grantKey, type GrantState, type GrantStateEvent } from '@lapse/contracts';

/** What this service keeps of each grant (from grants.state.v1). Times in epoch ms. */
export interface ProjectedGrant {
  userId: string;
  resourceId: string;
  state: GrantState;
  lockedAt: number | null;
  activeUntil: number | null;
  /** The grant's expiry (its assignments' latest), null for never or not known. */
  expiresAt: number | null;
  version: number;
}

export function toProjectedGrant(e: GrantStateEvent): ProjectedGrant {
  return {
    userId: e.userId,
    resourceId: e.resourceId,
    state: e.state,
    lockedAt: e.lockedAt === null ? null : Date.parse(e.lockedAt),
    activeUntil: e.activeUntil === null ? null : Date.parse(e.activeUntil),
    expiresAt: e.expiresAt ? Date.parse(e.expiresAt) : null,
    version: e.version,
  };
}

/** A record replaces what is known only when its version is higher (or equal: a redelivery). */
export function supersedes(next: ProjectedGrant, current: ProjectedGrant | undefined): boolean {
  return current === undefined || next.version >= current.version;
}

/** Keeps, per grant, the record of highest version among `records` (a batch, in any order). */
export function latestPerGrant(records: Iterable<ProjectedGrant>): Map<string, ProjectedGrant> {
  const out = new Map<string, ProjectedGrant>();
  for (const r of records) {
    const key = grantKey(r);
    if (supersedes(r, out.get(key))) out.set(key, r);
  }
  return out;
}

const UUID_PAIR =
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12}):([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/**
 * The projection's own key for a grant key: the two UUIDs as 32 bytes in a one-byte string (48
 * bytes on the heap instead of 96 for the 73-character text). Any other key (tests use short ids)
 * is kept whole behind a character no byte string holds, so the two kinds never collide.
 */
export function compactGrantKey(key: string): string {
  const m = UUID_PAIR.exec(key);
  if (!m) return `\u0100${key}`;
  return Buffer.from(m.slice(1).join(''), 'hex').toString('latin1');
}

const STATE_CODES: readonly GrantState[] = GRANT_STATES;
const NONE = Number.NaN;
const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

/**
 * The in-memory projection: decisions and the "known grant" check read it. Sized for millions of
 * grants: a Map from the compact key to a row number, and the fields in typed-array columns (one
 * byte for the state, one float64 per time and for the version; NaN = null): about 130 heap bytes
 * per grant where a Map of objects took 320 (`npm run bench -- decisions` measures it). `get`
 * builds the record it returns.
 */
export class GrantProjection {
  private readonly rows = new Map<string, number>();
  private state = new Uint8Array(1024);
  private lockedAt = new Float64Array(1024);
  private activeUntil = new Float64Array(1024);
  private expiresAt = new Float64Array(1024);
  private version = new Float64Array(1024);
  /** Set while the projection may be behind grants.state.v1 by more than the bound. */
  stale = false;
  /**
   * Set once the projection is known to hold every grant published up to a few seconds ago; until
   * then (and whenever it falls behind) a usage event for a grant it does not know may be for a
   * grant it has not read yet.
   */
  current = false;

  get size(): number {
    return this.rows.size;
  }

  get(key: string): ProjectedGrant | undefined {
    const row = this.rows.get(compactGrantKey(key));
    if (row === undefined) return undefined;
    const colon = key.indexOf(':');
    return {
      userId: key.slice(0, colon),
      resourceId: key.slice(colon + 1),
      state: STATE_CODES[this.state[row]],
      lockedAt: orNull(this.lockedAt[row]),
      activeUntil: orNull(this.activeUntil[row]),
      expiresAt: orNull(this.expiresAt[row]),
      version: this.version[row],
    };
  }

  has(key: string): boolean {
    return this.rows.has(compactGrantKey(key));
  }

  /** Applies a record; returns whether it changed the projection (lower versions are ignored). */
  apply(g: ProjectedGrant): boolean {
    const key = compactGrantKey(grantKey(g));
    let row = this.rows.get(key);
    if (row !== undefined && g.version < this.version[row]) return false;
    if (row === undefined) {
      row = this.rows.size;
      if (row === this.state.length) this.grow();
      this.rows.set(key, row);
    }
    this.state[row] = STATE_CODES.indexOf(g.state);
    this.lockedAt[row] = g.lockedAt ?? NONE;
    this.activeUntil[row] = g.activeUntil ?? NONE;
    this.expiresAt[row] = g.expiresAt ?? NONE;
    this.version[row] = g.version;
    return true;
  }

  private grow(): void {
    const n = this.state.length * 2;
    const widen = <T extends Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.state = widen(this.state, (k) => new Uint8Array(k));
    this.lockedAt = widen(this.lockedAt, (k) => new Float64Array(k));
    this.activeUntil = widen(this.activeUntil, (k) => new Float64Array(k));
    this.expiresAt = widen(this.expiresAt, (k) => new Float64Array(k));
    this.version = widen(this.version, (k) => new Float64Array(k));
  }
}
