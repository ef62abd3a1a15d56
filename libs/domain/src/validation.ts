/**
 * Validators for policies and requests. They take untrusted input (`unknown`) and
 * return field-named errors, empty when valid, so HTTP services can answer 400 naming the field
 * and the grant workflow can refuse an update with the same message.
 */
import {
  APPROVAL_MODES,
  CONTROL_CHARS_MESSAGE,
  LIMITS,
  hasControlChars,
} from '@lapse/contracts/workflow';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `policy.autoLock.durationSeconds`. */
  field: string;
  message: string;
}

const DAY = 24 * 3600;

/** Human form of a number of seconds for messages ("400 days", "90 s"). */
function humanSeconds(s: number): string {
  return s % DAY === 0 ? `${s / DAY} days` : `${s} s`;
}

function join(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wholeSecondsIn(value: unknown, field: string, min: number, max: number): FieldError[] {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return [{ field, message: `${field} must be a whole number of seconds` }];
  }
  if (value < min || value > max) {
    return [
      { field, message: `${field} must be between ${humanSeconds(min)} and ${humanSeconds(max)}` },
    ];
  }
  return [];
}

function approval(value: unknown, field: string): FieldError[] {
  return typeof value === 'string' && (APPROVAL_MODES as readonly string[]).includes(value)
    ? []
    : [{ field, message: `${field} must be one of ${APPROVAL_MODES.join(', ')}` }];
}

/** Auto-lock duration: a whole number of seconds, 1 s … 400 days. */
export function validateAutoLockDuration(value: unknown, field = 'durationSeconds'): FieldError[] {
  return wholeSecondsIn(value, field, LIMITS.autoLockMinSeconds, LIMITS.autoLockMaxSeconds);
}

/**
 * A fixed JIT access period: a whole number of seconds, 1 s … 400 days (the API caps only the
 * CUSTOM choice; fixed periods share auto-lock's bounds), or `"CUSTOM"`.
 */
export function validateAccessPeriod(value: unknown, field = 'accessPeriodSeconds'): FieldError[] {
  if (value === 'CUSTOM') return [];
  if (typeof value === 'string')
    return [{ field, message: `${field} must be a number of seconds or "CUSTOM"` }];
  return wholeSecondsIn(value, field, 1, LIMITS.autoLockMaxSeconds);
}

/** The period a requester chooses under CUSTOM: a whole number of seconds, 1 s … 7 days. */
export function validateCustomAccessPeriod(
  value: unknown,
  field = 'durationSeconds',
): FieldError[] {
  if (value === undefined || value === null) {
    return [{ field, message: `${field} is required when the access period is CUSTOM` }];
  }
  return wholeSecondsIn(value, field, 1, LIMITS.customAccessPeriodMaxSeconds);
}

/** A request's reason: a string of 1–1000 characters after trimming. */
export function validateReason(value: unknown, field = 'reason'): FieldError[] {
  if (typeof value !== 'string' || value.trim().length === 0)
    return [{ field, message: `${field} is required` }];
  if (value.length > LIMITS.reasonMaxLength) {
    return [{ field, message: `${field} must be at most ${LIMITS.reasonMaxLength} characters` }];
  }
  if (hasControlChars(value)) return [{ field, message: `${field} ${CONTROL_CHARS_MESSAGE}` }];
  return [];
}

/** A reviewer's note: absent, null, or a string of at most 1000 characters. */
export function validateNote(value: unknown, field = 'note'): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'string' || value.length > LIMITS.reasonMaxLength) {
    return [
      {
        field,
        message: `${field} must be a string of at most ${LIMITS.reasonMaxLength} characters`,
      },
    ];
  }
  if (hasControlChars(value)) return [{ field, message: `${field} ${CONTROL_CHARS_MESSAGE}` }];
  return [];
}

/** `autoLock`: null (off) or `{durationSeconds, approval}`. */
export function validateAutoLockPolicy(value: unknown, field = 'autoLock'): FieldError[] {
  if (value === null) return [];
  if (!isRecord(value)) return [{ field, message: `${field} must be null or an object` }];
  return [
    ...validateAutoLockDuration(value['durationSeconds'], join(field, 'durationSeconds')),
    ...approval(value['approval'], join(field, 'approval')),
  ];
}

/** `accessRequests`: null (off) or `{accessPeriodSeconds | "CUSTOM", approval}`. */
export function validateAccessRequestsPolicy(
  value: unknown,
  field = 'accessRequests',
): FieldError[] {
  if (value === null) return [];
  if (!isRecord(value)) return [{ field, message: `${field} must be null or an object` }];
  return [
    ...validateAccessPeriod(value['accessPeriodSeconds'], join(field, 'accessPeriodSeconds')),
    ...approval(value['approval'], join(field, 'approval')),
  ];
}

/**
 * A complete policy (a resource default): both fields present, each null or valid.
 * `prefix` names the object in field paths (e.g. `policy` → `policy.autoLock.durationSeconds`).
 */
export function validatePolicy(input: unknown, prefix = ''): FieldError[] {
  if (!isRecord(input))
    return [{ field: prefix || 'policy', message: `${prefix || 'policy'} must be an object` }];
  const errors: FieldError[] = [];
  for (const key of ['autoLock', 'accessRequests'] as const) {
    if (input[key] === undefined) {
      errors.push({
        field: join(prefix, key),
        message: `${join(prefix, key)} is required (null turns it off)`,
      });
    }
  }
  errors.push(...validatePresentFields(input, prefix));
  return errors;
}

/** An assignment's override: each field absent (inherit), null (off) or valid. */
export function validatePolicyOverride(input: unknown, prefix = ''): FieldError[] {
  if (input === undefined || input === null) return [];
  if (!isRecord(input))
    return [{ field: prefix || 'policy', message: `${prefix || 'policy'} must be an object` }];
  return validatePresentFields(input, prefix);
}

/** The policy fields present in `input` (absent ones are not checked). */
function validatePresentFields(input: Record<string, unknown>, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  if (input['autoLock'] !== undefined)
    errors.push(...validateAutoLockPolicy(input['autoLock'], join(prefix, 'autoLock')));
  if (input['accessRequests'] !== undefined) {
    errors.push(
      ...validateAccessRequestsPolicy(input['accessRequests'], join(prefix, 'accessRequests')),
    );
  }
  return errors;
}
