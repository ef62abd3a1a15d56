import { grantKey, type GrantState, type GrantStateEvent } from '@lapse/contracts';

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

/** The in-memory projection: decisions and the "known grant" check read it. */
export class GrantProjection {
  private readonly grants = new Map<string, ProjectedGrant>();
  /** Set while the projection may be behind grants.state.v1 by more than the bound. */
  stale = false;
  /**
   * Set once the projection is known to hold every grant published up to a few seconds ago; until
   * then (and whenever it falls behind) a usage event for a grant it does not know may be for a
   * grant it has not read yet.
   */
  current = false;

  get size(): number {
    return this.grants.size;
  }

  get(key: string): ProjectedGrant | undefined {
    return this.grants.get(key);
  }

  has(key: string): boolean {
    return this.grants.has(key);
  }

  /** Applies a record; returns whether it changed the projection (lower versions are ignored). */
  apply(g: ProjectedGrant): boolean {
    const key = grantKey(g);
    if (!supersedes(g, this.grants.get(key))) return false;
    this.grants.set(key, g);
    return true;
  }
}
