import { LIMITS, checkUsageEvent, grantKey, usageEventSchema } from '@lapse/contracts';

/** A usage event that passed validation, normalised: `at` in epoch ms. */
export interface AcceptedUsage {
  key: string;
  userId: string;
  resourceId: string;
  at: number;
}

export interface RejectedUsage {
  error: string;
  /** The value as received: parsed JSON when it was JSON, else the raw text. */
  original: unknown;
}

export type UsageVerdict =
  | { ok: true; usage: AcceptedUsage }
  | { ok: false; reject: RejectedUsage };

/** A usage event is four short fields: anything larger is refused unparsed. */
export const MAX_USAGE_EVENT_BYTES = 4096;

export const REJECT_REASONS = {
  malformed: 'malformed JSON',
  future: `occurredAt is more than ${LIMITS.usageMaxFutureSkewSeconds} s in the future`,
  unknownGrant: 'unknown grant',
} as const;

/** The latest occurredAt (epoch ms) accepted when consumed at `now`: the clock skew allowed. */
export function latestAcceptedAt(now: number): number {
  return now + LIMITS.usageMaxFutureSkewSeconds * 1000;
}

/**
 * Validates one record of access.usage.v1 (rule 2): size, schema (bounded ids without control
 * characters, a sane time), not more than 5 minutes
 * in the future, and a grant this service knows. Pure: `now` and `isKnown` are passed in.
 */
export function validateUsage(
  raw: Buffer | string | null,
  now: number,
  isKnown: (key: string) => boolean,
): UsageVerdict {
  const bytes = raw === null ? 0 : typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > MAX_USAGE_EVENT_BYTES) {
    return {
      ok: false,
      reject: {
        error: `value is ${bytes} bytes, more than ${MAX_USAGE_EVENT_BYTES}`,
        original: '',
      },
    };
  }
  const text = raw === null ? '' : raw.toString();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reject: { error: REJECT_REASONS.malformed, original: text } };
  }
  // The usual event passes the schema's checks without zod; anything else goes through zod,
  // which decides and names the failing field.
  let event = checkUsageEvent(value);
  if (!event) {
    const parsed = usageEventSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || 'value';
      return {
        ok: false,
        reject: { error: `invalid event: ${field}: ${issue.message}`, original: value },
      };
    }
    const { userId, resourceId, occurredAt } = parsed.data;
    event = { userId, resourceId, at: Date.parse(occurredAt) };
  }
  const { userId, resourceId, at } = event;
  if (at > latestAcceptedAt(now)) {
    return { ok: false, reject: { error: REJECT_REASONS.future, original: value } };
  }
  const key = grantKey({ userId, resourceId });
  if (!isKnown(key))
    return { ok: false, reject: { error: REJECT_REASONS.unknownGrant, original: value } };
  return { ok: true, usage: { key, userId, resourceId, at } };
}
