/** Event value schemas, validated at the edge by producers and consumers. */
import { z } from 'zod';
import { LIMITS, GRANT_STATES, REQUEST_STATUSES, REQUEST_TYPES, APPROVAL_MODES } from './domain';
import { CONTROL_CHARS_MESSAGE, MAX_ID_LENGTH, hasControlChars } from './text';

/** Times Lapse records lie in [2000, 2200): a sane range for anything it records. */
const EARLIEST_TIME = Date.UTC(2000, 0, 1);
const LATEST_TIME = Date.UTC(2200, 0, 1);
/** An ISO time with offset, between 2000 and 2200. */
const isoTime = z.iso.datetime({ offset: true }).refine((t) => {
  const ms = Date.parse(t);
  return ms >= EARLIEST_TIME && ms < LATEST_TIME;
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

const MAX_PROXY_ID_LENGTH = 200;

export const usageEventSchema = z.object({
  userId: id,
  resourceId: id,
  occurredAt: isoTime,
  proxyId: line(MAX_PROXY_ID_LENGTH).optional(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

/** The pattern `z.iso.datetime({ offset: true })` checks (zod's own). */
const ISO_TIME_PATTERN = z.regexes.datetime({ offset: true, local: false, precision: null });

/** Hex digits by character code. */
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const isHex = (c: number) => c < 128 && HEX[c] === 1;

/**
 * What `z.uuid()` accepts, but the nil and max UUIDs (the schema decides those): 8-4-4-4-12 hex
 * digits, version 1–8, variant 8, 9, a or b. A loop, not zod's regular expression: 5× faster.
 */
function isUsualUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!isHex(c)) return false;
  }
  const version = s.charCodeAt(14);
  const variant = s.charCodeAt(19) | 0x20; // lower case
  return (
    version >= 0x31 &&
    version <= 0x38 &&
    (variant === 0x38 || variant === 0x39 || variant === 0x61 || variant === 0x62)
  );
}

/**
 * `usageEventSchema` without zod, for the usual event on ingestion's hot path (a proxy sends
 * tens of thousands a second): the event's ids and time (epoch ms) when `value` passes the
 * schema by the same checks, else undefined, and the schema then decides and names the field.
 * It never accepts what the schema refuses (events.spec.ts holds the two side by side).
 */
export function checkUsageEvent(
  value: unknown,
): { userId: string; resourceId: string; at: number } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { userId, resourceId, occurredAt, proxyId } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || !isUsualUuid(userId)) return undefined;
  if (typeof resourceId !== 'string' || !isUsualUuid(resourceId)) return undefined;
  if (typeof occurredAt !== 'string' || !ISO_TIME_PATTERN.test(occurredAt)) return undefined;
  const at = Date.parse(occurredAt);
  if (!(at >= EARLIEST_TIME && at < LATEST_TIME)) return undefined;
  if (
    proxyId !== undefined &&
    (typeof proxyId !== 'string' ||
      proxyId.length > MAX_PROXY_ID_LENGTH ||
      hasControlChars(proxyId, { multiline: false }))
  )
    return undefined;
  return { userId, resourceId, at };
}

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
