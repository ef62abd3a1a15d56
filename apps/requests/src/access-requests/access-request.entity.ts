import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AccessRequest, ApprovalMode, RequestStatus, RequestType } from '@lapse/contracts';

/** A row of `requests.access_requests`: the request as this service last recorded it. */
@Entity({ name: 'access_requests' })
export class AccessRequestEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') type!: RequestType;
  @Column('text', { name: 'user_id' }) userId!: string;
  @Column('text', { name: 'resource_id' }) resourceId!: string;
  @Column('text') reason!: string;
  @Column('integer', { name: 'duration_seconds', nullable: true }) durationSeconds!: number | null;
  @Column('text', { name: 'approval_mode' }) approvalMode!: ApprovalMode;
  @Column('text') status!: RequestStatus;
  @Column('timestamptz', { name: 'requested_at' }) requestedAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('text', { name: 'reviewer_id', nullable: true }) reviewerId!: string | null;
  @Column('timestamptz', { name: 'reviewed_at', nullable: true }) reviewedAt!: Date | null;
  @Column('text', { nullable: true }) note!: string | null;
  /** When the request stopped being PENDING (reviewedAt, or when the expiry was recorded). */
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The contract shape (`AccessRequest`) of a stored request. */
export function toAccessRequest(e: AccessRequestEntity): AccessRequest {
  return {
    id: e.id,
    type: e.type,
    userId: e.userId,
    resourceId: e.resourceId,
    reason: e.reason,
    durationSeconds: e.durationSeconds,
    approvalMode: e.approvalMode,
    status: e.status,
    requestedAt: e.requestedAt.toISOString(),
    expiresAt: e.expiresAt.toISOString(),
    reviewerId: e.reviewerId,
    reviewedAt: iso(e.reviewedAt),
    note: e.note,
  };
}
