import type { AccessRequestEvent } from '@lapse/contracts';
import type { AuditEntryInput } from './audit.repository';

/**
 * The audit entry of a request event (decisions and the request itself), or null for events
 * that are not audited. Deduplicated by request id + event, so a redelivery is recorded once.
 */
export function requestAuditEntry(e: AccessRequestEvent): AuditEntryInput {
  const r = e.request;
  const decided = e.event === 'APPROVED' || e.event === 'DENIED';
  return {
    category: 'ACCESS',
    action: `request.${e.event.toLowerCase()}`,
    actorId: decided
      ? (r.reviewerId ?? (r.approvalMode === 'AUTOMATIC' ? 'system:automatic' : null))
      : e.event === 'REQUESTED'
        ? r.userId
        : null,
    entityType: 'access-request',
    entityId: r.id,
    resourceId: r.resourceId,
    userId: r.userId,
    before: e.event === 'REQUESTED' ? null : { status: 'PENDING' },
    after: {
      status: r.status,
      type: r.type,
      reason: r.reason,
      reviewerId: r.reviewerId,
      reviewedAt: r.reviewedAt,
      note: r.note,
      durationSeconds: r.durationSeconds,
    },
    at: r.reviewedAt ?? r.requestedAt,
    dedupKey: `request:${r.id}:${e.event}`,
  };
}
