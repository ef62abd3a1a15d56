/** Event value schemas, validated at the edge by producers and consumers. */
import { z } from 'zod';
import { LIMITS, GRANT_STATES, REQUEST_STATUSES, REQUEST_TYPES, APPROVAL_MODES } from './domain';
import { CONTROL_CHARS_MESSAGE, MAX_ID_LENGTH, hasControlChars } from './text';

/** An ISO time with offset, between 2000 and 2200 (a sane range for anything Lapse records). */
const isoTime = z.iso.datetime({ offset: true }).refine((t) => {
  const ms = Date.parse(t);
  return ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(2200, 0, 1);
}, 'must be between 2000 and 2200');
/** One line of text, bounded, without NUL or control characters. */
const line = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasControlChars(s, { multiline: false }), CONTROL_CHARS_MESSAGE);
/** Free text (line breaks allowed), bounded, without NUL or other control characters. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasControlChars(s), CONTROL_CHARS_MESSAGE);
/**
 * Ids of users, resources and requests: strict UUIDs (RFC 9562 layout), as every Lapse store
 * keeps them. Anything else in an event can never be processed (rule 15: to the DLQ, never retried).
 */
const id = z.uuid({ message: 'must be a UUID' });

export const usageEventSchema = z.object({
  userId: id,
  resourceId: id,
  occurredAt: isoTime,
  proxyId: line(200).optional(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

/** A dead letter on any `<topic>.dlq` (rule 15). */
export const deadLetterRecordSchema = z.object({
  error: z.string(),
  /**
   * The rejected record's value as received: parsed JSON when it was JSON (small and shallow
   * enough to copy), else the raw text, cut to 16 KB (`truncated`, `originalBytes`).
   */
  original: z.unknown(),
  source: z
    .object({
      topic: z.string(),
      partition: z.number(),
      offset: z.string(),
      /** The consumer group that refused it (each group reading the topic refuses it once). */
      group: z.string().optional(),
    })
    .optional(),
  truncated: z.boolean().optional(),
  originalBytes: z.number().optional(),
});
export type DeadLetterRecord = z.infer<typeof deadLetterRecordSchema>;
export const usageDlqRecordSchema = deadLetterRecordSchema;
export type UsageDlqRecord = z.infer<typeof usageDlqRecordSchema>;

export const grantStateEventSchema = z.object({
  userId: id,
  resourceId: id,
  state: z.enum(GRANT_STATES),
  lastAccessAt: isoTime.nullable(),
  lockedAt: isoTime.nullable(),
  activeUntil: isoTime.nullable(),
  /**
   * When the grant expires (its assignments' latest expiry), null for never; absent in records
   * published before it was added. Decisions refuse past it without waiting for EXPIRED.
   */
  expiresAt: isoTime.nullable().optional(),
  /**
   * Rule 1: when the grant auto-locks with no further access (last access — or creation, or the
   * last unlock — + the auto-lock duration), as the workflow computes it; null when the grant is
   * not ACTIVE or auto-lock is off. Absent in records published before it was added.
   */
  autoLockAt: isoTime.nullable().optional(),
  /** The auto-lock duration in seconds, null when auto-lock is off; absent in older records. */
  autoLockDurationSeconds: z.number().int().positive().nullable().optional(),
  version: z.number().int().nonnegative(),
});
export type GrantStateEvent = z.infer<typeof grantStateEventSchema>;

export const policyChangeEventSchema = z.object({
  id: line(MAX_ID_LENGTH),
  /** e.g. resource.created, resource.updated, assignment.put, assignment.deleted, group.members.changed */
  kind: line(100),
  entityType: line(100),
  entityId: line(MAX_ID_LENGTH),
  actorId: line(MAX_ID_LENGTH).nullable(),
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
  reason: text(LIMITS.reasonMaxLength),
  durationSeconds: z.number().int().positive().nullable(),
  approvalMode: z.enum(APPROVAL_MODES),
  status: z.enum(REQUEST_STATUSES),
  requestedAt: isoTime,
  expiresAt: isoTime,
  reviewerId: id.nullable(),
  reviewedAt: isoTime.nullable(),
  note: text(LIMITS.reasonMaxLength).nullable(),
});

export const accessRequestEventSchema = z.object({
  event: z.enum(['REQUESTED', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED']),
  request: accessRequestSchema,
});
export type AccessRequestEvent = z.infer<typeof accessRequestEventSchema>;

/**
 * The webhook body for a new request (`ACCESS_REQUEST`) or a withdrawn one
 * (`ACCESS_REQUEST_CANCELLED`, same fields), exactly these fields (docs/notifications.md).
 */
export interface AccessRequestWebhookBody {
  timestamp: string;
  tenant: string;
  version: '1';
  type: 'ACCESS_REQUEST' | 'ACCESS_REQUEST_CANCELLED';
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
