/**
 * The OpenAPI schema of a policy object in a request body, as `parseOverride` validates it
 * (policy-input.ts and the domain's policy validation): each field absent (POST: off; PATCH and
 * assignments: unchanged or inherited), null (off) or complete; no other field.
 */
import type { ApiPropertyOptions } from '@nestjs/swagger';
import { APPROVAL_MODES, LIMITS } from '@lapse/contracts';

const approval = { type: 'string', enum: [...APPROVAL_MODES] };

const autoLock = {
  type: 'object',
  nullable: true,
  description: 'Lock the grant durationSeconds after the last access; null turns it off',
  required: ['durationSeconds', 'approval'],
  additionalProperties: false,
  properties: {
    durationSeconds: {
      type: 'integer',
      minimum: LIMITS.autoLockMinSeconds,
      maximum: LIMITS.autoLockMaxSeconds,
    },
    approval,
  },
};

const accessRequests = {
  type: 'object',
  nullable: true,
  description: 'Just-in-time access for an approved period; null turns it off',
  required: ['accessPeriodSeconds', 'approval'],
  additionalProperties: false,
  properties: {
    accessPeriodSeconds: {
      description:
        'Seconds of access per approval, or CUSTOM: the requester picks (at most 7 days)',
      oneOf: [
        { type: 'integer', minimum: 1, maximum: LIMITS.autoLockMaxSeconds },
        { type: 'string', enum: ['CUSTOM'] },
      ],
    },
    approval,
  },
};

/** `policy` of a resource or an assignment body. */
export const POLICY_INPUT_SCHEMA = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  properties: { autoLock, accessRequests },
} as unknown as ApiPropertyOptions;
