import type { AccessRequest, EffectivePolicy, GrantState, LockReason } from './domain';

/**
 * Which grant: the access of one user to one resource. Every function about one grant takes
 * this object, never two bare strings (both are strings, so a swap would compile).
 */
export interface GrantRef {
  userId: string;
  resourceId: string;
}

/** The Temporal workflow id of a grant (wire format: `grant:<resourceId>:<userId>`). */
export function grantWorkflowId({ userId, resourceId }: GrantRef): string {
  return `grant:${resourceId}:${userId}`;
}

/** Parses a grant workflow id; null when it is not one. */
export function parseGrantWorkflowId(id: string): GrantRef | null {
  const m = /^grant:([^:]+):([^:]+)$/.exec(id);
  return m ? { resourceId: m[1], userId: m[2] } : null;
}

/** Kafka key of every record about a grant (wire format: `<userId>:<resourceId>`). */
export function grantKey({ userId, resourceId }: GrantRef): string {
  return `${userId}:${resourceId}`;
}

/** What the `state` query returns and what `grants.state.v1` carries (plus `policy`). */
export interface GrantView {
  userId: string;
  resourceId: string;
  state: GrantState;
  policy: EffectivePolicy;
  lockReason: LockReason | null;
  /** Latest access the workflow knows of (ISO), or null. */
  lastAccessAt: string | null;
  /** When the grant last locked (ISO), null while it never has. */
  lockedAt: string | null;
  /** JIT: end of the current access period (ISO), null outside one. */
  activeUntil: string | null;
  /** Auto-lock: when the grant will lock with no further access (ISO), null when not applicable. */
  autoLockAt: string | null;
  lastAdminUnlockAt: string | null;
  lastAdminUnlockBy: string | null;
  openRequest: AccessRequest | null;
  createdAt: string;
  /** Increases with every state change; consumers ignore records with a lower version. */
  version: number;
}
