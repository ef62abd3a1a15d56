/** Event value schemas (DESIGN.md §5), validated at the edge by producers and consumers. */
import { z } from 'zod';
import { GRANT_STATES, REQUEST_STATUSES, REQUEST_TYPES, APPROVAL_MODES } from './domain';

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);

export const usageEventSchema = z.object({
  userId: id,
  resourceId: id,
  occurredAt: isoTime,
  proxyId: z.string().max(200).optional(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

export const usageDlqRecordSchema = z.object({
  error: z.string(),
  /** The rejected record's value as received (parsed JSON when it was JSON, else the raw text). */
  original: z.unknown(),
});
export type UsageDlqRecord = z.infer<typeof usageDlqRecordSchema>;

export const grantStateEventSchema = z.object({
  userId: id,
  resourceId: id,
  state: z.enum(GRANT_STATES),
  lastAccessAt: isoTime.nullable(),
  lockedAt: isoTime.nullable(),
  activeUntil: isoTime.nullable(),
  version: z.number().int().nonnegative(),
});
export type GrantStateEvent = z.infer<typeof grantStateEventSchema>;

export const policyChangeEventSchema = z.object({
  id: z.string(),
  /** e.g. resource.created, resource.updated, assignment.put, assignment.deleted, group.members.changed */
  kind: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  actorId: z.string().nullable(),
  at: isoTime,
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type PolicyChangeEvent = z.infer<typeof policyChangeEventSchema>;

export const accessRequestSchema = z.object({
  id,
  type: z.enum(REQUEST_TYPES),
  userId: id,
  resourceId: id,
  reason: z.string(),
  durationSeconds: z.number().int().positive().nullable(),
  approvalMode: z.enum(APPROVAL_MODES),
  status: z.enum(REQUEST_STATUSES),
  requestedAt: isoTime,
  expiresAt: isoTime,
  reviewerId: z.string().nullable(),
  reviewedAt: isoTime.nullable(),
  note: z.string().nullable(),
});

export const accessRequestEventSchema = z.object({
  event: z.enum(['REQUESTED', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED']),
  request: accessRequestSchema,
});
export type AccessRequestEvent = z.infer<typeof accessRequestEventSchema>;

/** The webhook body for a new request, exactly the fields of DESIGN.md §5. */
export interface AccessRequestWebhookBody {
  timestamp: string;
  tenant: string;
  version: '1';
  type: 'ACCESS_REQUEST';
  request_id: string;
  request_url: string;
  user_name: string;
  user_url: string;
  resource_name: string;
  resource_url: string;
  requested_at: string;
  reason: string;
  approval_mode: 'MANUAL' | 'AUTOMATIC';
  request_type: 'AutoLock' | 'JIT';
  request_duration_seconds: number | null;
}
