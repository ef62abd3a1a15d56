import type { GrantState } from '@lapse/contracts';
import type { ProjectedGrant } from '../grants/grant-projection';

export type DecisionState = GrantState | 'NO_GRANT';

/** The answer proxies enforce: only ACTIVE is allowed. */
export interface Decision {
  allowed: boolean;
  state: DecisionState;
  reason: string;
  lockedAt?: string;
  activeUntil?: string;
  /** Present (true) when the projection may be older than the staleness bound. */
  stale?: boolean;
}

/**
 * Why an ACTIVE grant the lock-due sweep marked is refused (rule 1): it is LOCKED as of its
 * auto-lock deadline; the workflow's own LOCKED record follows (its reason is the generic one).
 */
export const LOCK_DUE_REASON = 'grant is locked: not used for its auto-lock period';

/**
 * Decides from the projected grant. An ACTIVE grant whose JIT period has already ended, or whose
 * expiry has passed, is refused even before the workflow's LOCKED or EXPIRED record arrives (the
 * proxy must not get the slack, and a stale projection still enforces both). One the lock-due
 * sweep found past its auto-lock deadline with no newer use answers LOCKED, `lockedAt` the
 * deadline: proxies treat it as any LOCKED grant (the block page, where access is requested).
 * `stale`: the projection may be behind; the answer says so (`stale: true`).
 */
export function decide(grant: ProjectedGrant | undefined, now: number, stale = false): Decision {
  const d = decideFresh(grant, now);
  return stale ? { ...d, stale: true } : d;
}

function decideFresh(grant: ProjectedGrant | undefined, now: number): Decision {
  if (!grant)
    return { allowed: false, state: 'NO_GRANT', reason: 'no grant for this user and resource' };
  const times = {
    ...(grant.lockedAt !== null ? { lockedAt: new Date(grant.lockedAt).toISOString() } : {}),
    ...(grant.activeUntil !== null
      ? { activeUntil: new Date(grant.activeUntil).toISOString() }
      : {}),
  };
  switch (grant.state) {
    case 'ACTIVE':
      if (grant.expiresAt !== null && grant.expiresAt <= now) {
        return { allowed: false, state: 'ACTIVE', reason: 'the grant has expired', ...times };
      }
      if (grant.activeUntil !== null && grant.activeUntil <= now) {
        return { allowed: false, state: 'ACTIVE', reason: 'the access period has ended', ...times };
      }
      if (grant.lockDueAt !== null) {
        return {
          allowed: false,
          state: 'LOCKED',
          reason: LOCK_DUE_REASON,
          ...times,
          lockedAt: new Date(grant.lockDueAt).toISOString(),
        };
      }
      return { allowed: true, state: 'ACTIVE', reason: 'grant is active', ...times };
    case 'LOCKED':
      return {
        allowed: false,
        state: 'LOCKED',
        reason: 'grant is locked: request access to unlock it',
        ...times,
      };
    case 'PENDING':
      return {
        allowed: false,
        state: 'PENDING',
        reason: 'grant is locked: an access request is pending review',
        ...times,
      };
    case 'EXPIRED':
      return { allowed: false, state: 'EXPIRED', reason: 'grant has expired', ...times };
    case 'REVOKED':
      return { allowed: false, state: 'REVOKED', reason: 'grant was revoked', ...times };
    default: {
      const never: never = grant.state;
      throw new Error(`unknown grant state ${String(never)}`);
    }
  }
}
