/**
 * JSON Schemas (OpenAPI 3.0) of the bodies several services answer with: a grant, its policy, an
 * access request. Data only (no library): the services' controllers name them in their
 * `@ApiOkResponse({ schema })`, so each document says exactly what the answer holds.
 */
import { APPROVAL_MODES, GRANT_STATES, REQUEST_STATUSES, REQUEST_TYPES } from './domain';

export type JsonSchema = Record<string, unknown>;

export const UUID_SCHEMA = { type: 'string', format: 'uuid' } as const;
export const TIME_SCHEMA = { type: 'string', format: 'date-time' } as const;
export const NULLABLE_TIME_SCHEMA = {
  type: 'string',
  format: 'date-time',
  nullable: true,
} as const;

/** An object with exactly these fields, all present. */
export function exactObject(properties: Record<string, JsonSchema>, nullable = false): JsonSchema {
  return {
    type: 'object',
    ...(nullable ? { nullable: true } : {}),
    required: Object.keys(properties),
    additionalProperties: false,
    properties,
  };
}

const approval = { type: 'string', enum: [...APPROVAL_MODES] };

const policyFields = {
  autoLock: exactObject({ durationSeconds: { type: 'integer' }, approval }, true),
  accessRequests: exactObject(
    {
      accessPeriodSeconds: { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['CUSTOM'] }] },
      approval,
    },
    true,
  ),
};

/** A policy as answered (a resource default, or an assignment's complete policy). */
export const POLICY_SCHEMA = exactObject(policyFields);

/** The policy a grant runs under. */
export function effectivePolicySchema(nullable = false): JsonSchema {
  return exactObject(
    {
      ...policyFields,
      expiresAt: NULLABLE_TIME_SCHEMA,
      sourceGroupIds: { type: 'array', items: UUID_SCHEMA },
    },
    nullable,
  );
}

export function accessRequestJsonSchema(nullable = false): JsonSchema {
  return exactObject(
    {
      id: UUID_SCHEMA,
      type: { type: 'string', enum: [...REQUEST_TYPES] },
      userId: UUID_SCHEMA,
      resourceId: UUID_SCHEMA,
      reason: { type: 'string' },
      durationSeconds: { type: 'integer', nullable: true },
      approvalMode: approval,
      status: { type: 'string', enum: [...REQUEST_STATUSES] },
      requestedAt: TIME_SCHEMA,
      expiresAt: TIME_SCHEMA,
      reviewerId: { ...UUID_SCHEMA, nullable: true },
      reviewedAt: NULLABLE_TIME_SCHEMA,
      note: { type: 'string', nullable: true },
    },
    nullable,
  );
}

export const GRANT_STATE_SCHEMA = { type: 'string', enum: [...GRANT_STATES] } as const;

/** A grant as its workflow holds it (GrantView). */
export const GRANT_SCHEMA = exactObject({
  userId: UUID_SCHEMA,
  resourceId: UUID_SCHEMA,
  state: GRANT_STATE_SCHEMA,
  policy: effectivePolicySchema(),
  lockReason: {
    type: 'string',
    enum: ['AUTO_LOCK', 'JIT_ENDED', 'JIT_NOT_REQUESTED'],
    nullable: true,
  },
  lastAccessAt: NULLABLE_TIME_SCHEMA,
  lockedAt: NULLABLE_TIME_SCHEMA,
  activeUntil: NULLABLE_TIME_SCHEMA,
  autoLockAt: NULLABLE_TIME_SCHEMA,
  lastAdminUnlockAt: NULLABLE_TIME_SCHEMA,
  lastAdminUnlockBy: { type: 'string', nullable: true },
  openRequest: accessRequestJsonSchema(true),
  createdAt: TIME_SCHEMA,
  version: { type: 'integer' },
});

/** A page of `items` (`?limit=&cursor=` lists). */
export function pageOfSchema(items: JsonSchema): JsonSchema {
  return exactObject({
    items: { type: 'array', items },
    nextCursor: { type: 'string', nullable: true },
  });
}
