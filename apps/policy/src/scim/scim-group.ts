import { isUuid } from '../common/ids';
import {
  canonicalKeys,
  compact,
  isObject,
  requiredText,
  text,
  type AttributeShape,
} from './scim-attributes';
import { GROUP_SCHEMA } from './scim-schemas';
import { ScimError } from './scim.errors';

const GROUP_SHAPE: AttributeShape = {
  displayName: true,
  members: { value: true, $ref: true, type: true, display: true },
};

/** Largest group a SCIM request may set at once. */
export const MAX_MEMBERS = 20_000;

export interface ScimGroupInput {
  displayName: string;
  externalId: string | null;
  /** User ids (lower case), without duplicates. */
  memberIds: string[];
}

/**
 * Validates a SCIM Group (POST, PUT, or the result of a PATCH). Members are users, named by
 * their SCIM id (`value`); a member of another type is refused.
 */
export function parseScimGroup(body: unknown): ScimGroupInput {
  if (!isObject(body)) throw ScimError.invalidSyntax('body: must be a SCIM Group object');
  const g = canonicalKeys(body, GROUP_SHAPE);
  const displayName = requiredText('displayName', g.displayName, { max: 200 }).trim();
  const externalId = text('externalId', g.externalId, { max: 512 }) ?? null;
  return { displayName, externalId, memberIds: memberIdsOf(g.members) };
}

export function memberIdsOf(members: unknown): string[] {
  if (members === undefined || members === null) return [];
  if (!Array.isArray(members)) throw ScimError.invalidValue('members', 'must be an array');
  if (members.length > MAX_MEMBERS)
    throw ScimError.invalidValue('members', `at most ${MAX_MEMBERS} in one request`);
  const ids = members.map((m, i) => {
    if (!isObject(m)) throw ScimError.invalidValue(`members[${i}]`, 'must be an object');
    if (typeof m.type === 'string' && m.type.toLowerCase() !== 'user')
      throw ScimError.invalidValue(`members[${i}].type`, 'Lapse groups hold users only');
    if (!isUuid(m.value)) throw ScimError.invalidValue(`members[${i}].value`, 'must be a user id');
    return m.value.toLowerCase();
  });
  return [...new Set(ids)];
}

export interface ScimGroupRecord {
  id: string;
  name: string;
  externalId: string | null;
  /** Undefined when the caller excluded members (they are not loaded). */
  memberIds?: string[];
  createdAt: Date;
  updatedAt: Date;
}

export function renderScimGroup(r: ScimGroupRecord, base: string): Record<string, unknown> {
  return compact({
    schemas: [GROUP_SCHEMA],
    id: r.id,
    externalId: r.externalId ?? undefined,
    displayName: r.name,
    members:
      r.memberIds && r.memberIds.length > 0
        ? r.memberIds.map((id) => ({ value: id, $ref: `${base}/Users/${id}`, type: 'User' }))
        : undefined,
    meta: {
      resourceType: 'Group',
      created: r.createdAt.toISOString(),
      lastModified: r.updatedAt.toISOString(),
      location: `${base}/Groups/${r.id}`,
    },
  });
}
