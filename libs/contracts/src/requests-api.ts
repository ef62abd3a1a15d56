/**
 * What the requests service's REST API returns beyond the access request itself, as the console
 * reads it: one definition for the server (requests) and its client (console).
 */
import type { AccessRequest } from './domain';
import type { GrantView } from './grant';

/** `GET /v1/grants/:resourceId`: the caller's own grant to a resource, for the block page. */
export interface OwnGrantView {
  resource: { id: string; name: string; address: string };
  grant: GrantView;
}

/** Why the caller may not decide a request they can see. */
export type ReviewRefusal = 'OWN_REQUEST' | 'READ_ONLY' | 'NOT_A_REVIEWER';

/** `GET /v1/access-requests/review-queue`: what the review page lists, with the caller's rights. */
export interface ReviewQueueView {
  /** Whether the caller reviews requests at all (a reviewer role or a resource approver). */
  reviewer: boolean;
  /** Open requests (oldest first) and those resolved in the last 90 days (newest first). */
  items: { request: AccessRequest; canDecide: boolean; whyNot: ReviewRefusal | null }[];
}
