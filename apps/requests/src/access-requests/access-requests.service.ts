import { Injectable } from '@nestjs/common';
import type { AccessRequest } from '@lapse/contracts';
import { validateReason } from '@lapse/domain';
import { LapseError, limitOf, type Page } from '@lapse/platform';
import { GrantClient } from '@lapse/grant-client';
import { PolicyClient } from '@lapse/policy-client';
import { requestIdFor } from './request-id';
import { RequestStore, type ListScope } from './request.store';
import {
  GLOBAL_REVIEWER_ROLES,
  REVIEW_REFUSALS,
  approverCheckMatters,
  canSee,
  reviewRight,
  seesAllRequests,
  type ReviewRight,
  type Viewer,
} from './review-rules';

/** Rule 9: resolved requests stay listed this long. */
export const RESOLVED_LIST_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

export interface SubmitInput {
  resourceId: string;
  reason: string;
  durationSeconds?: number;
}
export interface ListFilters {
  status?: 'OPEN' | 'RESOLVED';
  userId?: string;
  resourceId?: string;
  limit?: number;
  cursor?: string;
}
export type Decision = 'APPROVE' | 'DENY';

/** A request with what the viewer may do with it. */
export interface VisibleRequest {
  request: AccessRequest;
  right: ReviewRight;
}

/**
 * Access requests: submit and review go to the grant workflow as updates (it decides); the
 * answer is recorded here at once (the workflow's recordRequest activity records it too,
 * idempotently). Reads come from this service's table, scoped by rule 6.
 */
@Injectable()
export class AccessRequestsService {
  constructor(
    private readonly store: RequestStore,
    private readonly grants: GrantClient,
    private readonly policy: PolicyClient,
  ) {}

  async submit(
    requesterId: string,
    input: SubmitInput,
    idempotencyKey?: string,
  ): Promise<AccessRequest> {
    const reasonErrors = validateReason(input.reason);
    if (reasonErrors.length > 0)
      throw LapseError.validation('reason', reasonErrors[0].message.replace(/^reason /, ''));
    const grant = { userId: requesterId, resourceId: input.resourceId };
    const requestId = requestIdFor(grant, idempotencyKey);
    const answer = await this.grants.submit(grant, {
      requestId,
      userId: requesterId,
      reason: input.reason,
      ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
    });
    await this.store.record(answer);
    return answer;
  }

  /** The request if the viewer may see it; 404 otherwise (its existence is not disclosed). */
  async get(viewer: Viewer, id: string): Promise<VisibleRequest> {
    const request = await this.store.find(id);
    if (!request) throw LapseError.notFound('access request', id);
    const approver = approverCheckMatters(viewer, request)
      ? await this.isApprover(viewer, request.resourceId)
      : false;
    if (!canSee(viewer, request, approver)) throw LapseError.notFound('access request', id);
    return { request, right: reviewRight(viewer, request, approver) };
  }

  async list(viewer: Viewer, filters: ListFilters): Promise<Page<VisibleRequest>> {
    const resolvedSince = this.resolvedSince();
    const scope = await this.scopeOf(viewer, resolvedSince);
    const page = await this.store.list({
      ...filters,
      resolvedSince,
      scope,
      limit: limitOf(filters),
    });
    const approved = new Set(scope.kind === 'some' ? scope.resourceIds : []);
    return {
      items: page.items.map((request) => ({
        request,
        right: reviewRight(viewer, request, approved.has(request.resourceId)),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Open requests the viewer may see (the console's bell). */
  async countOpen(viewer: Viewer): Promise<number> {
    const resolvedSince = this.resolvedSince();
    return this.store.count({
      status: 'OPEN',
      resolvedSince,
      scope: await this.scopeOf(viewer, resolvedSince),
    });
  }

  /** Rule 6, then the workflow's review update: 404 unseen, 403 not a reviewer, 409 not pending. */
  async decide(
    viewer: Viewer,
    id: string,
    decision: Decision,
    note?: string,
  ): Promise<AccessRequest> {
    const { request, right } = await this.get(viewer, id);
    if (!right.allowed) throw LapseError.forbidden(REVIEW_REFUSALS[right.why]);
    if (viewer.kind !== 'user') throw LapseError.forbidden(REVIEW_REFUSALS.SERVICE);
    if (request.status !== 'PENDING')
      throw LapseError.conflict(`the request is no longer pending: it is ${request.status}`);
    const answer = await this.grants.review(request, {
      requestId: request.id,
      reviewerId: viewer.id,
      decision,
      ...(note !== undefined && note !== '' ? { note } : {}),
    });
    await this.store.record(answer);
    return answer;
  }

  /**
   * Rule 14: the requester cancels their own open request (CANCELLED, the grant stays LOCKED);
   * 404 when unseen, 403 for anyone else (reviewers decide, they do not cancel), 409 when no
   * longer pending. Recorded here at once and by the workflow's recordRequest (audit, event).
   */
  async cancel(viewer: Viewer, id: string): Promise<AccessRequest> {
    const { request } = await this.get(viewer, id);
    if (viewer.kind !== 'user' || viewer.id !== request.userId)
      throw LapseError.forbidden('only the requester cancels a request');
    if (request.status === 'CANCELLED') return request;
    if (request.status !== 'PENDING')
      throw LapseError.conflict(`the request is no longer pending: it is ${request.status}`);
    const answer = await this.grants.cancel(request, {
      requestId: request.id,
      userId: viewer.id,
    });
    await this.store.record(answer);
    return answer;
  }

  /** Whether the viewer may review at least one resource (the review page's controls). */
  async approvesAnything(viewer: Viewer): Promise<boolean> {
    if (viewer.kind !== 'user') return false;
    if (viewer.roles.some((r) => GLOBAL_REVIEWER_ROLES.includes(r))) return true;
    const scope = await this.scopeOf(viewer, this.resolvedSince());
    return scope.kind === 'some' && scope.resourceIds.length > 0;
  }

  private async scopeOf(viewer: Viewer, since: Date): Promise<ListScope> {
    if (seesAllRequests(viewer) || viewer.kind !== 'user') return { kind: 'all' };
    const candidates = await this.store.activeResourceIds(since);
    return {
      kind: 'some',
      userId: viewer.id,
      resourceIds: await this.policy.approvedBy(viewer.id, candidates),
    };
  }

  private async isApprover(viewer: Viewer, resourceId: string): Promise<boolean> {
    return viewer.kind === 'user' ? this.policy.isApprover(viewer.id, resourceId) : false;
  }

  private resolvedSince(): Date {
    return new Date(Date.now() - RESOLVED_LIST_DAYS * DAY_MS);
  }
}
