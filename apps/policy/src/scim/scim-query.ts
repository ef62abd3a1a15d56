import { flatten, parse, type Filter } from 'scim2-parse-filter';
import { DEFAULT_PAGE, GROUP_SCHEMA, MAX_PAGE, USER_SCHEMA } from './scim-schemas';
import { ScimError } from './scim.errors';

/** How one filterable attribute is compared in SQL: `sql(placeholder)` is the condition for `eq`. */
export type FilterColumns = Record<string, (placeholder: string) => string>;

export interface SqlCondition {
  where: string;
  params: unknown[];
}

const URN_PREFIX = new RegExp(
  `^(${[USER_SCHEMA, GROUP_SCHEMA].map((s) => s.replace(/[.:]/g, '\\$&')).join('|')}):`,
  'i',
);

/** `urn:…:core:2.0:User:userName` → `username` (attribute names are case-insensitive). */
export function attributeKey(path: string): string {
  return path.replace(URN_PREFIX, '').toLowerCase();
}

/**
 * A SCIM filter (RFC 7644 §3.4.2.2) as a SQL condition over `columns`, parsed by scim2-parse-filter.
 * Lapse answers `eq` on the attributes in `columns`, joined with `and` / `or` (value paths such as
 * `emails[value eq "x"]` are flattened first); anything else is a 400 `invalidFilter` that says so.
 */
export function filterToSql(filter: string, columns: FilterColumns, firstParam = 1): SqlCondition {
  let ast: Filter;
  try {
    ast = flatten(parse(filter));
  } catch (e) {
    throw ScimError.invalidFilter(`cannot parse "${filter}": ${(e as Error).message}`);
  }
  const params: unknown[] = [];
  const walk = (f: Filter): string => {
    switch (f.op) {
      case 'and':
      case 'or':
        return `(${f.filters.map(walk).join(f.op === 'and' ? ' AND ' : ' OR ')})`;
      case 'eq': {
        const column = columns[attributeKey(f.attrPath)];
        if (!column)
          throw ScimError.invalidFilter(
            `"${f.attrPath}" is not filterable here (Lapse filters on ${Object.keys(columns).join(', ')})`,
          );
        if (typeof f.compValue !== 'string')
          throw ScimError.invalidFilter(`"${f.attrPath}" is compared with a string`);
        params.push(f.compValue);
        return column(`$${firstParam + params.length - 1}`);
      }
      default:
        throw ScimError.invalidFilter(
          `operator "${f.op}" is not supported (Lapse answers eq, and, or)`,
        );
    }
  };
  return { where: walk(ast), params };
}

export interface ListParams {
  /** 1-based. */
  startIndex: number;
  count: number;
  filter?: string;
  attributes?: string[];
  excludedAttributes?: string[];
}

function intParam(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number')
    throw ScimError.invalidValue(name, 'must be an integer');
  const n = Number(raw);
  if (!Number.isInteger(n)) throw ScimError.invalidValue(name, 'must be an integer');
  return n;
}

function listOf(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const joined = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : '';
  const items = joined
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/**
 * `startIndex` (1-based; below 1 means 1), `count` (default 100; negative means 0; capped at
 * 1000), `filter`, `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.4, §3.9), from a query
 * string or a `/.search` body.
 */
export function listParams(q: Record<string, unknown>): ListParams {
  const filter = q.filter;
  if (filter !== undefined && typeof filter !== 'string')
    throw ScimError.invalidFilter('must be a string');
  const attributes = listOf(q.attributes);
  const excludedAttributes = listOf(q.excludedAttributes);
  if (attributes && excludedAttributes)
    throw ScimError.invalidSyntax('attributes and excludedAttributes are mutually exclusive');
  return {
    startIndex: Math.max(1, intParam('startIndex', q.startIndex) ?? 1),
    count: Math.min(MAX_PAGE, Math.max(0, intParam('count', q.count) ?? DEFAULT_PAGE)),
    filter: filter?.trim() || undefined,
    attributes,
    excludedAttributes,
  };
}

/** The attributes every answer keeps whatever is asked (returned "always"). */
const ALWAYS = new Set(['id', 'schemas']);

function lookup(resource: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(resource).find((k) => k.toLowerCase() === name);
}

/** Applies `attributes` or `excludedAttributes` (top-level and `parent.sub` paths) to a resource. */
export function project(
  resource: Record<string, unknown>,
  p: Pick<ListParams, 'attributes' | 'excludedAttributes'>,
): Record<string, unknown> {
  if (p.attributes) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(resource)) if (ALWAYS.has(k)) out[k] = resource[k];
    for (const path of p.attributes) {
      const [top, sub] = attributeKey(path).split('.');
      const key = lookup(resource, top);
      if (!key) continue;
      const value = resource[key];
      if (!sub || value === null || typeof value !== 'object') {
        out[key] = value;
        continue;
      }
      const pick = (v: unknown) => {
        if (v === null || typeof v !== 'object') return v;
        const o = v as Record<string, unknown>;
        const s = lookup(o, sub);
        return s ? { [s]: o[s] } : {};
      };
      const picked = Array.isArray(value) ? value.map(pick) : pick(value);
      const prev = out[key];
      out[key] =
        Array.isArray(picked) && Array.isArray(prev)
          ? picked.map((v, i) => ({ ...(prev[i] as object), ...(v as object) }))
          : !Array.isArray(picked) && prev && typeof prev === 'object' && !Array.isArray(prev)
            ? { ...prev, ...(picked as object) }
            : picked;
    }
    return out;
  }
  if (p.excludedAttributes) {
    const out = { ...resource };
    for (const path of p.excludedAttributes) {
      const [top, sub] = attributeKey(path).split('.');
      const key = lookup(out, top);
      if (!key || ALWAYS.has(key)) continue;
      if (!sub) {
        delete out[key];
        continue;
      }
      const drop = (v: unknown) => {
        if (v === null || typeof v !== 'object') return v;
        const o = { ...(v as Record<string, unknown>) };
        const s = lookup(o, sub);
        if (s) delete o[s];
        return o;
      };
      out[key] = Array.isArray(out[key]) ? (out[key] as unknown[]).map(drop) : drop(out[key]);
    }
    return out;
  }
  return resource;
}

/** Whether a projection needs an attribute at all (so big member lists are not loaded for nothing). */
export function wants(
  p: Pick<ListParams, 'attributes' | 'excludedAttributes'>,
  name: string,
): boolean {
  const n = name.toLowerCase();
  if (p.attributes) return p.attributes.some((a) => attributeKey(a).split('.')[0] === n);
  if (p.excludedAttributes) return !p.excludedAttributes.some((a) => attributeKey(a) === n);
  return true;
}
