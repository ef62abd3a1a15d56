import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { IsTime } from '../common/time';
import type { PolicyOverride } from '@lapse/contracts';
import { POLICY_INPUT_SCHEMA } from '../resources/policy-schema';

export class PutAssignmentDto {
  @ApiPropertyOptional({
    ...POLICY_INPUT_SCHEMA,
    description:
      'Override of the resource default: an absent field inherits, null turns the feature off',
    example: { autoLock: { durationSeconds: 604800, approval: 'MANUAL' } },
  })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2030-01-01T00:00:00Z',
    nullable: true,
  })
  @IsOptional()
  @IsTime()
  expiresAt?: string | null;
}

export interface AssignmentView {
  resourceId: string;
  groupId: string;
  /** The override as stored (absent fields inherit the resource default). */
  policy: PolicyOverride;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}
