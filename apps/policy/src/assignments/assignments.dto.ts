import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsObject, IsOptional } from 'class-validator';
import type { PolicyOverride } from '@lapse/contracts';

export class PutAssignmentDto {
  @ApiPropertyOptional({
    description:
      'Override of the resource default: an absent field inherits, null turns the feature off',
    example: { autoLock: { durationSeconds: 604800, approval: 'MANUAL' } },
  })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown> | null;

  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
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
