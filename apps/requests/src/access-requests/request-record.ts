/**
 * How an incoming request record (from the grant workflow's `recordRequest` activity, or from
 * the answer of an update) changes what this service has stored. Pure: the store applies it in
 * one transaction with the outbox write.
 */
import { requestEventFor, type AccessRequest, type RequestEventType } from '@lapse/contracts';

export type RecordOutcome =
  /** Store `request` and publish `event` (a new request, or PENDING → resolved). */
  | { kind: 'write'; request: AccessRequest; event: RequestEventType; resolvedAt: string | null }
  /** Nothing changes: the same status again (a retry), or a late record for a resolved request. */
  | { kind: 'ignore'; reason: 'DUPLICATE' | 'ALREADY_RESOLVED' };

/**
 * Idempotent by id + status, and never moves a resolved request back to PENDING (a late
 * REQUESTED record after the APPROVED one changes nothing). The event published is the one the
 * new status means (`REQUESTED` for PENDING, else the status), whatever the caller labelled it.
 * `nowIso` is when a resolution without a review time (an expiry) is considered to happen.
 */
export function recordOutcome(
  stored: AccessRequest | null,
  incoming: AccessRequest,
  nowIso: string,
): RecordOutcome {
  if (stored !== null) {
    if (stored.status === incoming.status) return { kind: 'ignore', reason: 'DUPLICATE' };
    if (stored.status !== 'PENDING') return { kind: 'ignore', reason: 'ALREADY_RESOLVED' };
  }
  const resolvedAt = incoming.status === 'PENDING' ? null : (incoming.reviewedAt ?? nowIso);
  return { kind: 'write', request: incoming, event: requestEventFor(incoming.status), resolvedAt };
}
