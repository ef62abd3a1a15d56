/**
 * Who may see and who may decide an access request (rule 6, docs/domain.md). Pure functions over the
 * caller, the request, and whether the caller is one of the resource's approvers.
 */
import type { Role } from '@lapse/contracts';

/** The caller as these rules need it: a user (id, roles) or a Lapse service. */
export type Viewer = { kind: 'user'; id: string; roles: readonly Role[] } | { kind: 'service' };

/** Review every resource's requests. */
export const GLOBAL_REVIEWER_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS', 'ACCESS_REVIEWER'];
/** See every request; decide none (SUPPORT). */
export const GLOBAL_READER_ROLES: readonly Role[] = [...GLOBAL_REVIEWER_ROLES, 'SUPPORT'];

export interface RequestParties {
  userId: string;
  resourceId: string;
}

export type ReviewRight =
  | { allowed: true }
  | { allowed: false; why: 'OWN_REQUEST' | 'READ_ONLY' | 'NOT_A_REVIEWER' | 'SERVICE' };

const holds = (v: Viewer, roles: readonly Role[]) =>
  v.kind === 'user' && v.roles.some((r) => roles.includes(r));

/** Sees every request (admin roles, SUPPORT, and services such as notifications). */
export function seesAllRequests(v: Viewer): boolean {
  return v.kind === 'service' || holds(v, GLOBAL_READER_ROLES);
}

/**
 * Whether being one of the resource's approvers changes what the viewer may see or decide of this
 * request: not for services, the requester, or ADMIN, DEVOPS and ACCESS_REVIEWER (who see and
 * decide every other request anyway), so for them nobody asks the policy service.
 */
export function approverCheckMatters(v: Viewer, r: RequestParties): boolean {
  return v.kind === 'user' && v.id !== r.userId && !holds(v, GLOBAL_REVIEWER_ROLES);
}

/** May read this request: global readers, the requester, and the resource's approvers. */
export function canSee(v: Viewer, r: RequestParties, isResourceApprover: boolean): boolean {
  if (seesAllRequests(v)) return true;
  return v.kind === 'user' && (v.id === r.userId || isResourceApprover);
}

/**
 * May approve or deny: ADMIN, DEVOPS, ACCESS_REVIEWER everywhere; a member of the resource's
 * approver groups for that resource; never the requester; SUPPORT only reads.
 */
export function reviewRight(
  v: Viewer,
  r: RequestParties,
  isResourceApprover: boolean,
): ReviewRight {
  if (v.kind === 'service') return { allowed: false, why: 'SERVICE' };
  if (v.id === r.userId) return { allowed: false, why: 'OWN_REQUEST' };
  if (holds(v, GLOBAL_REVIEWER_ROLES) || isResourceApprover) return { allowed: true };
  if (holds(v, GLOBAL_READER_ROLES)) return { allowed: false, why: 'READ_ONLY' };
  return { allowed: false, why: 'NOT_A_REVIEWER' };
}

export const REVIEW_REFUSALS: Record<Exclude<ReviewRight, { allowed: true }>['why'], string> = {
  OWN_REQUEST: 'nobody reviews their own request',
  READ_ONLY: 'your role may read requests but not decide them',
  NOT_A_REVIEWER: 'only admins, access reviewers and the resource’s approvers decide this request',
  SERVICE: 'services do not decide requests',
};

/** Shows the review page's approve/deny controls at all (global reviewers and approvers). */
export function mayReviewSomething(v: Viewer, approvesAnyResource: boolean): boolean {
  return holds(v, GLOBAL_REVIEWER_ROLES) || approvesAnyResource;
}
