import { CONTROL_CHARS_MESSAGE, hasControlChars } from '@lapse/contracts';
import { ScimError } from './scim.errors';

/**
 * Attribute names are case-insensitive in SCIM (RFC 7643 §2.1): inputs are rewritten to the
 * canonical spelling of the attributes Lapse keeps; attributes Lapse does not keep (enterprise
 * extension, roles, password, …) are dropped, as an identity provider's mapping may send them.
 */
export interface AttributeShape {
  [canonical: string]: AttributeShape | true;
}

/** Common attributes every resource carries (RFC 7643 §3.1). */
const COMMON: AttributeShape = { schemas: true, id: true, externalId: true, meta: true };

export function canonicalKeys(
  input: Record<string, unknown>,
  shape: AttributeShape,
  top = true,
): Record<string, unknown> {
  const known = top ? { ...COMMON, ...shape } : shape;
  const byLower = new Map(Object.keys(known).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const name = byLower.get(key.toLowerCase());
    if (!name) continue;
    const sub = known[name];
    if (sub === true || value === null || typeof value !== 'object') out[name] = value;
    else if (Array.isArray(value))
      out[name] = value.map((v) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? canonicalKeys(v as Record<string, unknown>, sub, false)
          : v,
      );
    else out[name] = canonicalKeys(value as Record<string, unknown>, sub, false);
  }
  return out;
}

/** A string attribute: type-checked, length-bounded, no NUL or control characters (rule 15). */
export function text(
  attribute: string,
  value: unknown,
  opts: { max: number; required?: boolean; multiline?: boolean },
): string | undefined {
  if (value === undefined || value === null) {
    if (opts.required) throw ScimError.invalidValue(attribute, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') throw ScimError.invalidValue(attribute, 'must be a string');
  if (hasControlChars(value, { multiline: opts.multiline ?? false }))
    throw ScimError.invalidValue(attribute, CONTROL_CHARS_MESSAGE);
  if (value.length > opts.max)
    throw ScimError.invalidValue(attribute, `must be at most ${opts.max} characters`);
  if (opts.required && value.trim() === '') throw ScimError.invalidValue(attribute, 'is required');
  return value;
}

/** A required string attribute (see `text`). */
export function requiredText(attribute: string, value: unknown, opts: { max: number }): string {
  const v = text(attribute, value, { ...opts, required: true });
  if (v === undefined) throw ScimError.invalidValue(attribute, 'is required');
  return v;
}

/** A boolean; "True"/"False" strings (as Microsoft Entra ID sends them) are accepted too. */
export function bool(attribute: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  throw ScimError.invalidValue(attribute, 'must be a boolean');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Drops undefined members, so absent attributes are absent from the JSON (RFC 7643 §2.5). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
