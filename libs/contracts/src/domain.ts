/**
 * The Lapse domain vocabulary shared by every service and by workflow code.
 * Types only (plus a few constant lists): no I/O, safe inside the workflow bundle.
 */

export const ROLES = ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER'] as const;
export type Role = (typeof ROLES)[number];

export const APPROVAL_MODES = ['MANUAL', 'AUTOMATIC'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** Auto-lock: lock the grant `durationSeconds` after the last access. */
export interface AutoLockPolicy {
  durationSeconds: number;
  approval: ApprovalMode;
}

/** Just-in-time access: the grant is active only for an approved access period. */
export interface AccessRequestsPolicy {
  /** A fixed period in seconds, or CUSTOM: the requester picks one (at most 7 days). */
  accessPeriodSeconds: number | 'CUSTOM';
  approval: ApprovalMode;
}

/** A resource's default policy, or a complete policy after inheritance. `null` = off. */
export interface Policy {
  autoLock: AutoLockPolicy | null;
  accessRequests: AccessRequestsPolicy | null;
}

/** An assignment's override: an absent field inherits the resource default. */
export interface PolicyOverride {
  autoLock?: AutoLockPolicy | null;
  accessRequests?: AccessRequestsPolicy | null;
}

/** The policy a grant runs under: the most permissive of the user's assignments. */
export interface EffectivePolicy extends Policy {
  /** ISO time the grant expires (latest of the assignments' expiries), or null for never. */
  expiresAt: string | null;
  /** The group(s) whose assignment supplied the winning policy. */
  sourceGroupIds: string[];
}

export const GRANT_STATES = ['ACTIVE', 'LOCKED', 'PENDING', 'EXPIRED', 'REVOKED'] as const;
export type GrantState = (typeof GRANT_STATES)[number];
export const TERMINAL_GRANT_STATES: readonly GrantState[] = ['EXPIRED', 'REVOKED'];

/** Why a grant is locked, when it is. */
export type LockReason = 'AUTO_LOCK' | 'JIT_ENDED' | 'JIT_NOT_REQUESTED';

export const REQUEST_TYPES = ['AutoLock', 'JIT'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface AccessRequest {
  id: string;
  type: RequestType;
  userId: string;
  resourceId: string;
  reason: string;
  /** JIT: the access period asked for (fixed period or the CUSTOM choice); AutoLock: null. */
  durationSeconds: number | null;
  approvalMode: ApprovalMode;
  status: RequestStatus;
  requestedAt: string;
  /** When an open request turns EXPIRED if nobody reviews it. */
  expiresAt: string;
  /** null for AUTOMATIC approvals and expiries. */
  reviewerId: string | null;
  reviewedAt: string | null;
  note: string | null;
}

/** Limits of the domain's values (docs/domain.md). */
export const LIMITS = {
  autoLockMinSeconds: 1,
  autoLockMaxSeconds: 400 * 24 * 3600,
  customAccessPeriodMaxSeconds: 7 * 24 * 3600,
  reasonMaxLength: 1000,
  defaultRequestTtlSeconds: 7 * 24 * 3600,
  usageMaxFutureSkewSeconds: 5 * 60,
} as const;

/** The durations the UI offers for auto-lock (the API accepts any whole number within LIMITS). */
export const AUTO_LOCK_PRESET_DAYS = [1, 7, 30, 60, 90] as const;
