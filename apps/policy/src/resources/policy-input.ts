import type { Policy, PolicyOverride } from '@lapse/contracts';
import { validatePolicy, validatePolicyOverride, type FieldError } from '@lapse/domain';
import { LapseError } from '@lapse/platform';

const KEYS: Record<string, readonly string[]> = {
  '': ['autoLock', 'accessRequests'],
  autoLock: ['durationSeconds', 'approval'],
  accessRequests: ['accessPeriodSeconds', 'approval'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields a policy object must not carry (the DTO pipe does not look inside `policy`). */
export function unknownPolicyFields(input: unknown, prefix: string): FieldError[] {
  if (!isRecord(input)) return [];
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (!KEYS[''].includes(key))
      errors.push({ field: `${prefix}.${key}`, message: 'is not a known field' });
  }
  for (const part of ['autoLock', 'accessRequests'] as const) {
    const v = input[part];
    if (!isRecord(v)) continue;
    for (const key of Object.keys(v)) {
      if (!KEYS[part].includes(key))
        errors.push({ field: `${prefix}.${part}.${key}`, message: 'is not a known field' });
    }
  }
  return errors;
}

function fail(errors: FieldError[]): never {
  const [e] = errors;
  const text = e.message.startsWith(`${e.field} `)
    ? e.message.slice(e.field.length + 1)
    : e.message;
  throw LapseError.validation(e.field, text);
}

/** A complete policy (resource default); 400 naming the first bad field. */
export function parsePolicy(input: unknown, prefix = 'policy'): Policy {
  const errors = [...unknownPolicyFields(input, prefix), ...validatePolicy(input, prefix)];
  if (errors.length) fail(errors);
  const p = input as Policy;
  return { autoLock: p.autoLock, accessRequests: p.accessRequests };
}

/** An assignment override (absent field = inherit, null = off); 400 naming the first bad field. */
export function parseOverride(input: unknown, prefix = 'policy'): PolicyOverride {
  if (input === undefined || input === null) return {};
  const errors = [...unknownPolicyFields(input, prefix), ...validatePolicyOverride(input, prefix)];
  if (errors.length) fail(errors);
  const p = input as PolicyOverride;
  const out: PolicyOverride = {};
  if (p.autoLock !== undefined) out.autoLock = p.autoLock;
  if (p.accessRequests !== undefined) out.accessRequests = p.accessRequests;
  return out;
}

export const NO_POLICY: Policy = { autoLock: null, accessRequests: null };

/** `base` with the fields `change` names replaced (PATCH merges; POST merges onto NO_POLICY). */
export function mergePolicy(base: Policy, change: PolicyOverride): Policy {
  return {
    autoLock: change.autoLock !== undefined ? change.autoLock : base.autoLock,
    accessRequests:
      change.accessRequests !== undefined ? change.accessRequests : base.accessRequests,
  };
}
