/**
 * The grant workflow's messages, defined once. Their string names go over the wire to
 * running workflows: never rename them; add a new message instead.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccessRequest, EffectivePolicy } from './domain';
import type { AdminUnlockRecord, RequestEventType } from './activities';
import type { GrantView } from './grant';

export const GRANT_TASK_QUEUE = 'grants';
export const GRANT_WORKFLOW_TYPE = 'accessGrant';

/** Input of `accessGrant`; `carried` is set only by continue-as-new. */
export interface AccessGrantInput {
  userId: string;
  resourceId: string;
  policy: EffectivePolicy;
  /** ISO time the grant was created; the auto-lock clock starts here. */
  createdAt: string;
  /** Open request time-to-live in seconds (LAPSE_REQUEST_TTL). */
  requestTtlSeconds: number;
  carried?: CarriedGrantState;
  /**
   * Prefix of every task queue the workflow's activities run on (see `taskQueue`); empty in
   * production. Integration tests give each suite its own so suites sharing a server never
   * pick up each other's tasks. Carried through continue-as-new.
   */
  taskQueuePrefix?: string;
}

/**
 * What continue-as-new carries: the view plus what the workflow must remember across runs —
 * recently resolved requests (so a retried `submitRequest` with the same id returns the same
 * request and a late `review` gets RequestNotPending, not RequestNotFound) and request records
 * not yet delivered to the requests service.
 */
export interface CarriedGrantState extends GrantView {
  recentRequests: AccessRequest[];
  pendingRecords: { event: RequestEventType; request: AccessRequest }[];
  /** Admin unlocks not yet recorded by policy (absent in runs carried by older versions). */
  pendingUnlocks?: AdminUnlockRecord[];
}

/** A task queue name under a prefix (LAPSE_TASK_QUEUE_PREFIX; '' in production). */
export function taskQueue(name: string, prefix = ''): string {
  return `${prefix}${name}`;
}

export interface AccessedSignal {
  /** The proxy's event time of the latest access (ISO). */
  at: string;
}
export interface PolicyChangedSignal {
  policy: EffectivePolicy;
}
export interface RevokeSignal {
  /** REVOKED when no assignment is left (default); EXPIRED when the last one expired. */
  outcome?: 'REVOKED' | 'EXPIRED';
}

export interface SubmitRequestUpdate {
  /** Chosen by the caller (uuid); a retried call with the same id returns the same request. */
  requestId: string;
  /** The requester: must be the grant's user. */
  userId: string;
  reason: string;
  /** CUSTOM JIT only: the access period asked for. */
  durationSeconds?: number;
}
export interface ReviewUpdate {
  requestId: string;
  reviewerId: string;
  decision: 'APPROVE' | 'DENY';
  note?: string;
}
export interface AdminUnlockUpdate {
  actorId: string;
  /** JIT with a CUSTOM period only: the window the unlock opens (default and maximum 7 days). */
  durationSeconds?: number;
}

/** Rule 14: the requester withdraws their open request (CANCELLED; the grant stays LOCKED). */
export interface CancelRequestUpdate {
  requestId: string;
  /** The requester: must be the grant's user. */
  userId: string;
}
/** Rule 14: the grant's user ends their active JIT period early (the grant locks at once). */
export interface EndAccessUpdate {
  userId: string;
}

export const accessedSignal = defineSignal<[AccessedSignal]>('accessed');
export const policyChangedSignal = defineSignal<[PolicyChangedSignal]>('policyChanged');
export const revokeSignal = defineSignal<[RevokeSignal]>('revoke');
/**
 * Rule 11: publish the grant's current state again (same version) — the reconciler found a
 * projection of `grants.state.v1` behind the workflow. Changes nothing in the grant.
 */
export const republishStateSignal = defineSignal('republishState');

/** Returns the open request (new or existing, idempotent) or the request resolved at once (AUTOMATIC). */
export const submitRequestUpdate = defineUpdate<AccessRequest, [SubmitRequestUpdate]>(
  'submitRequest',
);
export const reviewUpdate = defineUpdate<AccessRequest, [ReviewUpdate]>('review');
export const adminUnlockUpdate = defineUpdate<GrantView, [AdminUnlockUpdate]>('adminUnlock');
export const cancelRequestUpdate = defineUpdate<AccessRequest, [CancelRequestUpdate]>(
  'cancelRequest',
);
export const endAccessUpdate = defineUpdate<GrantView, [EndAccessUpdate]>('endAccess');

export const stateQuery = defineQuery<GrantView>('state');

/**
 * Typed errors the updates refuse with (ApplicationFailure.type), one per cause. The values go
 * over the wire (callers match on them): never change one; add a new one instead. Callers map
 * them to client errors through the grant client (`@lapse/grant-client`), never by hand.
 */
export const GRANT_ERRORS = {
  NOT_PENDING: 'RequestNotPending',
  REQUEST_NOT_FOUND: 'RequestNotFound',
  SELF_REVIEW: 'SelfReview',
  /** Rule 13: nobody unlocks their own grant, admins included. */
  SELF_UNLOCK: 'SelfUnlock',
  /** submitRequest, cancelRequest or endAccess by someone other than the grant's user. */
  NOT_GRANT_USER: 'NotGrantUser',
  GRANT_TERMINAL: 'GrantTerminal',
  NOT_LOCKED: 'GrantNotLocked',
  INVALID_DURATION: 'InvalidDuration',
  INVALID_REASON: 'InvalidReason',
  /** endAccess on a grant with no active JIT period. */
  NOT_ACTIVE: 'GrantNotActive',
  INVALID_NOTE: 'InvalidNote',
  INVALID_DECISION: 'InvalidDecision',
  INVALID_REQUEST_ID: 'InvalidRequestId',
} as const;
export type GrantErrorType = (typeof GRANT_ERRORS)[keyof typeof GRANT_ERRORS];
