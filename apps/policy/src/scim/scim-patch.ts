import {
  ScimError as PatchLibraryError,
  scimPatch,
  type ScimPatchOperation,
  type ScimResource,
} from 'scim-patch';
import { isObject } from './scim-attributes';
import { attributeKey } from './scim-query';
import { PATCH_OP_SCHEMA } from './scim-schemas';
import { ScimError, type ScimType } from './scim.errors';

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

/** How a resource type's attributes are spelled, and which of them a PATCH may not touch. */
export interface PatchShape {
  /** lower-case name → canonical name, for attributes and `parent.sub` paths. */
  names: Record<string, string>;
  readOnly: string[];
}

export function patchShape(canonical: string[], readOnly: string[]): PatchShape {
  return {
    names: Object.fromEntries(canonical.map((n) => [n.toLowerCase(), n])),
    readOnly,
  };
}

/** Validates a PatchOp request body (RFC 7644 §3.5.2): schema, `Operations`, each `op`. */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('body: must be a PatchOp object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP_SCHEMA))
    throw ScimError.invalidValue('schemas', `must include ${PATCH_OP_SCHEMA}`);
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = key ? body[key] : undefined;
  if (!Array.isArray(ops) || ops.length === 0)
    throw ScimError.invalidValue('Operations', 'must be a non-empty array');
  if (ops.length > 1000) throw ScimError.invalidValue('Operations', 'at most 1000');
  return ops.map((o: unknown, i): PatchOperation => {
    if (!isObject(o)) throw ScimError.invalidValue(`Operations[${i}]`, 'must be an object');
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'remove' && op !== 'replace')
      throw ScimError.invalidValue(`Operations[${i}].op`, 'must be add, remove or replace');
    if (o.path !== undefined && typeof o.path !== 'string')
      throw ScimError.invalidPath(`Operations[${i}].path: must be a string`);
    if (op === 'remove' && !o.path)
      throw ScimError.noTarget(`Operations[${i}].path: remove needs a path`);
    if (op !== 'remove' && !('value' in o))
      throw ScimError.invalidValue(`Operations[${i}].value`, `is required for ${op}`);
    return { op, path: (o.path as string | undefined)?.trim() || undefined, value: o.value };
  });
}

const SIMPLE_PATH = /^([A-Za-z$][\w$-]*)(\[[^\]]*\])?(?:\.([A-Za-z$][\w$-]*))?$/;

/** `Members[value eq "x"]` → `members[value eq "x"]`; the core schema URN prefix goes. */
function canonicalPath(path: string, shape: PatchShape): { path: string; top: string } {
  const bare = path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, '');
  const m = SIMPLE_PATH.exec(bare);
  if (!m) return { path: bare, top: attributeKey(bare) };
  const [, attr, filter = '', sub] = m;
  const top = shape.names[attr.toLowerCase()] ?? attr;
  const subName = sub ? (shape.names[`${top}.${sub}`.toLowerCase()]?.split('.')[1] ?? sub) : '';
  return { path: `${top}${filter}${subName ? `.${subName}` : ''}`, top };
}

/**
 * Rewrites what identity providers send into operations on canonical paths: a path-less
 * add/replace whose value has `name.givenName`-style keys becomes one operation per key;
 * `remove members` with a value (Microsoft Entra ID) becomes one filtered remove per member.
 * An operation on a read-only attribute is a 400 `mutability`; read-only attributes inside a
 * path-less value (Okta sends the id back) are left out.
 */
export function normalizeOperations(ops: PatchOperation[], shape: PatchShape): PatchOperation[] {
  const out: PatchOperation[] = [];
  for (const o of ops) {
    if (!o.path) {
      if (!isObject(o.value))
        throw ScimError.invalidValue('value', 'an operation without a path needs an object value');
      const whole: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o.value)) {
        const { path, top } = canonicalPath(k, shape);
        if (shape.readOnly.includes(top)) continue;
        if (path.includes('.') || path.includes('[')) out.push({ op: o.op, path, value: v });
        else whole[path] = v;
      }
      if (Object.keys(whole).length > 0) out.push({ op: o.op, value: whole });
      continue;
    }
    const { path, top } = canonicalPath(o.path, shape);
    if (shape.readOnly.includes(top)) throw ScimError.mutability(top);
    if (o.op === 'remove' && path === 'members' && o.value !== undefined) {
      const values = Array.isArray(o.value) ? o.value : [o.value];
      for (const [i, v] of values.entries()) {
        const id = isObject(v) ? v.value : undefined;
        if (typeof id !== 'string')
          throw ScimError.invalidValue(`value[${i}].value`, 'must name the member to remove');
        out.push({ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` });
      }
      continue;
    }
    out.push({ op: o.op, path, value: o.value });
  }
  return out;
}

/**
 * The resource after the operations, applied by the scim-patch library on a copy (RFC 7644
 * §3.5.2 semantics: add merges, replace replaces, remove unassigns, value filters select).
 * The caller validates the result as a whole, as for a PUT.
 */
export function applyPatch(
  resource: Record<string, unknown>,
  ops: PatchOperation[],
  shape: PatchShape,
): Record<string, unknown> {
  const normalized = normalizeOperations(ops, shape);
  try {
    return scimPatch(
      resource as unknown as ScimResource,
      normalized as unknown as ScimPatchOperation[],
      { mutateDocument: false, treatMissingAsAdd: true },
    ) as unknown as Record<string, unknown>;
  } catch (e) {
    if (e instanceof PatchLibraryError) {
      const scimType = (e.scimCode as ScimType | undefined) ?? 'invalidSyntax';
      throw new ScimError(400, e.message, scimType);
    }
    throw e;
  }
}
