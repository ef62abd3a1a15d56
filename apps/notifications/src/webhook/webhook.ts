import type { AccessRequest, AccessRequestEvent, AccessRequestWebhookBody } from '@lapse/contracts';
import type { Links } from '../templates/links';

/** Standard Webhooks signing, shared with the settings API's test send. */
export { IDEMPOTENCY_HEADER, signedHeaders } from '@lapse/platform';

/** ISO time with an explicit UTC offset, as the product documentation shows (`…+00:00`). */
export function isoWithOffset(iso: string | Date): string {
  return new Date(iso).toISOString().replace(/Z$/, '+00:00');
}

export interface WebhookFacts {
  /** ACCESS_REQUEST announces a new request; ACCESS_REQUEST_CANCELLED withdraws one. */
  type: AccessRequestWebhookBody['type'];
  tenant: string;
  request: AccessRequest;
  userName: string;
  resourceName: string;
  links: Links;
  /** Auto-lock requests: the auto-lock duration the grant runs under (the request itself has none). */
  autoLockSeconds: number | null;
  /** When the delivery was created (fixed for all its attempts). */
  now: Date;
}

/**
 * Whether a request event announces a new request (the webhook fires once per request).
 * A MANUAL request is announced by REQUESTED. An AUTOMATIC one never passes through PENDING:
 * the workflow approves it at once and its first event is APPROVED with no reviewer, so that
 * event announces it (approval_mode AUTOMATIC tells the receiver nothing awaits review).
 */
export function announcesNewRequest(e: AccessRequestEvent): boolean {
  return (
    e.event === 'REQUESTED' ||
    (e.event === 'APPROVED' &&
      e.request.approvalMode === 'AUTOMATIC' &&
      e.request.reviewerId === null)
  );
}

/**
 * Whether a request event withdraws a request the webhook announced: CANCELLED (by the requester,
 * an offboarding or revoke, a policy change or an admin unlock) only ever ends a PENDING request,
 * and every PENDING request was announced by REQUESTED.
 */
export function withdrawsRequest(e: AccessRequestEvent): boolean {
  return e.event === 'CANCELLED';
}

/** The webhook body: exactly these fields, in this order (docs/notifications.md). */
export function webhookBody(f: WebhookFacts): AccessRequestWebhookBody {
  const r = f.request;
  return {
    timestamp: isoWithOffset(f.now),
    tenant: f.tenant,
    version: '1',
    type: f.type,
    request_id: r.id,
    request_url: f.links.request,
    user_name: f.userName,
    user_url: f.links.user,
    resource_name: f.resourceName,
    resource_url: f.links.resource,
    requested_at: isoWithOffset(r.requestedAt),
    reason: r.reason,
    approval_mode: r.approvalMode,
    request_type: r.type,
    request_duration_seconds:
      r.type === 'JIT' ? r.durationSeconds : (r.durationSeconds ?? f.autoLockSeconds),
  };
}

export type AttemptVerdict = 'DELIVERED' | 'RETRY' | 'FAILED';

/** 2xx delivered; 408, 429 and 5xx retried; any other status failed for good. */
export function verdictForStatus(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'DELIVERED';
  if (status === 408 || status === 429 || status >= 500) return 'RETRY';
  return 'FAILED';
}
