/**
 * What policy's operations answer, as JSON Schemas for their OpenAPI document (each names its
 * schema in `@ApiOkResponse` / `@ApiCreatedResponse`): exact objects, every field present, so
 * the conformance suite checks every answer against them.
 */
import {
  GRANT_STATE_SCHEMA,
  NULLABLE_TIME_SCHEMA,
  POLICY_SCHEMA,
  ROLES,
  TIME_SCHEMA,
  UUID_SCHEMA,
  accessRequestJsonSchema,
  effectivePolicySchema,
  exactObject,
  type JsonSchema,
} from '@lapse/contracts';
import { AUDIT_CATEGORIES } from '../audit/audit.repository';

export { GRANT_SCHEMA, pageOfSchema } from '@lapse/contracts';

const uuids = { type: 'array', items: UUID_SCHEMA };
const text = { type: 'string' };
const nullableText = { type: 'string', nullable: true };

export const GROUP_SCHEMA = exactObject({
  id: UUID_SCHEMA,
  name: text,
  memberIds: uuids,
  createdAt: TIME_SCHEMA,
});

export const GROUP_SUMMARY_SCHEMA = exactObject({
  id: UUID_SCHEMA,
  name: text,
  memberCount: { type: 'integer', minimum: 0 },
  createdAt: TIME_SCHEMA,
});

export const RESOURCE_SCHEMA = exactObject({
  id: UUID_SCHEMA,
  name: text,
  address: text,
  policy: POLICY_SCHEMA,
  approverGroupIds: uuids,
  createdAt: TIME_SCHEMA,
  updatedAt: TIME_SCHEMA,
});

export const APPROVERS_SCHEMA = exactObject({
  groupIds: uuids,
  users: { type: 'array', items: exactObject({ id: UUID_SCHEMA, email: text, name: text }) },
});

/** An assignment: its override as stored (a field left out inherits the resource default). */
export const ASSIGNMENT_SCHEMA = exactObject({
  resourceId: UUID_SCHEMA,
  groupId: UUID_SCHEMA,
  policy: {
    type: 'object',
    additionalProperties: false,
    properties: (POLICY_SCHEMA as { properties: Record<string, JsonSchema> }).properties,
  },
  expiresAt: NULLABLE_TIME_SCHEMA,
  createdAt: TIME_SCHEMA,
  updatedAt: TIME_SCHEMA,
});

export const USER_GRANT_SCHEMA = exactObject({
  resourceId: UUID_SCHEMA,
  resourceName: text,
  state: { ...GRANT_STATE_SCHEMA, nullable: true },
  policy: effectivePolicySchema(true),
  policySource: exactObject(
    { groupIds: uuids, origin: { type: 'string', enum: ['DEFAULT', 'OVERRIDE', 'MIXED'] } },
    true,
  ),
  lastAccessAt: NULLABLE_TIME_SCHEMA,
  lockedAt: NULLABLE_TIME_SCHEMA,
  activeUntil: NULLABLE_TIME_SCHEMA,
  lastAdminUnlockAt: NULLABLE_TIME_SCHEMA,
});

export const RESOURCE_GRANT_SCHEMA = exactObject({
  userId: UUID_SCHEMA,
  email: text,
  name: text,
  userActive: { type: 'boolean' },
  state: { ...GRANT_STATE_SCHEMA, nullable: true },
  lastAccessAt: NULLABLE_TIME_SCHEMA,
  lockedAt: NULLABLE_TIME_SCHEMA,
  activeUntil: NULLABLE_TIME_SCHEMA,
  lastAdminUnlockAt: NULLABLE_TIME_SCHEMA,
  lastAdminUnlockBy: nullableText,
  openRequest: accessRequestJsonSchema(true),
});

/** `before` / `after`: the entity as it was and became (any JSON; null when none). */
const snapshot = { description: 'the entity before / after the change, or null', nullable: true };

export const AUDIT_ENTRY_SCHEMA = exactObject({
  id: { type: 'string', pattern: '^[0-9]+$' },
  category: { type: 'string', enum: [...AUDIT_CATEGORIES] },
  action: text,
  actorId: nullableText,
  entityType: text,
  entityId: text,
  resourceId: { ...UUID_SCHEMA, nullable: true },
  userId: { ...UUID_SCHEMA, nullable: true },
  before: snapshot,
  after: snapshot,
  at: TIME_SCHEMA,
});

/** Notification settings; the webhook secret masked except where the operation says otherwise. */
export const NOTIFICATION_SETTINGS_SCHEMA = exactObject({
  emailEnabled: { type: 'boolean' },
  emailRoles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
  optedOutUserIds: uuids,
  webhook: exactObject({ url: text, secret: text }, true),
});
