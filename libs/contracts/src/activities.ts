/**
 * Activities the grant workflow calls. Each runs in the service that owns the data, on that
 * service's task queue; the workflow knows only these interfaces and queue names.
 */
import type { AccessRequest, GrantState, RequestStatus } from './domain';
import type { GrantView } from './grant';

export const ACTIVITY_TASK_QUEUES = {
  /** Hosted by grant-worker: publishes grant state to Kafka. */
  grantState: 'grants',
  /** Hosted by access-tracking: owner of last-access data. */
  accessTracking: 'access-tracking',
  /** Hosted by requests: owner of access requests. */
  requests: 'requests',
  /** Hosted by policy: owner of the audit log. */
  policy: 'policy',
} as const;

/** grant-worker: publish the grant's state to `grants.state.v1` (idempotent by version). */
export interface GrantStateActivities {
  publishGrantState(view: GrantView): Promise<void>;
}

/** access-tracking: the latest recorded access of a grant (ISO), or null. */
export interface AccessTrackingActivities {
  latestAccess(input: { userId: string; resourceId: string }): Promise<string | null>;
}

export type RequestEventType = 'REQUESTED' | 'APPROVED' | 'DENIED' | 'EXPIRED' | 'CANCELLED';

/** requests: store the request as it now is and publish the event (idempotent by id + status). */
export interface RequestActivities {
  recordRequest(input: { event: RequestEventType; request: AccessRequest }): Promise<void>;
}

export function requestEventFor(status: RequestStatus): RequestEventType {
  return status === 'PENDING' ? 'REQUESTED' : status;
}

/** An admin unlock as the audit log keeps it: who, when, and the grant just before and after. */
export interface AdminUnlockRecord {
  userId: string;
  resourceId: string;
  actorId: string;
  /** When the workflow unlocked (ISO): with the grant, it identifies the unlock. */
  at: string;
  before: { state: GrantState; lockedAt: string | null; lastAccessAt: string | null };
  after: { state: GrantState; lastAccessAt: string | null; activeUntil: string | null };
}

/**
 * policy: record an admin unlock in the audit log (and the grant's last-unlock columns),
 * idempotently by grant + `at`. The workflow delivers it before the `adminUnlock` update
 * returns, so the unlock is audited even when the service that asked for it dies meanwhile.
 */
export interface PolicyActivities {
  recordAdminUnlock(record: AdminUnlockRecord): Promise<void>;
}
