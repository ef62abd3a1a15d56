import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsTime } from '../common/time';
import { PageQueryDto } from '@lapse/platform';
import { AUDIT_CATEGORIES, type AuditCategory } from './audit.repository';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_CATEGORIES })
  @IsOptional()
  @IsIn(AUDIT_CATEGORIES)
  category?: AuditCategory;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  resourceId?: string;

  @ApiPropertyOptional({ description: 'ISO time, inclusive', format: 'date-time' })
  @IsOptional()
  @IsTime()
  since?: string;

  @ApiPropertyOptional({ description: 'ISO time, exclusive', format: 'date-time' })
  @IsOptional()
  @IsTime()
  until?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the user the entry is about' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;

  @ApiPropertyOptional({
    description: 'who made the change: a user id, service:<name>, scim, system:…',
    minLength: 1,
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  actorId?: string;
}
