import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '@lapse/platform';
import { POLICY_INPUT_SCHEMA } from './policy-schema';

const policyExample = {
  autoLock: { durationSeconds: 2592000, approval: 'MANUAL' },
  accessRequests: null,
};

export class CreateResourceDto {
  @ApiProperty({ example: 'Gitlab', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'gitlab.internal.example.com', minLength: 1, maxLength: 500 })
  @IsString()
  @Length(1, 500)
  address!: string;

  @ApiPropertyOptional({
    ...POLICY_INPUT_SCHEMA,
    description: 'Default policy: a field left out or null is off',
    example: policyExample,
  })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class UpdateResourceDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  // Left out keeps the value; null is refused.
  @ValidateIf((_, v) => v !== undefined)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500 })
  // Left out keeps the value; null is refused.
  @ValidateIf((_, v) => v !== undefined)
  @IsString()
  @Length(1, 500)
  address?: string;

  @ApiPropertyOptional({
    ...POLICY_INPUT_SCHEMA,
    description: 'Fields named replace the default policy; a field left out keeps its value',
    example: policyExample,
  })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class ApproversDto {
  @ApiProperty({ type: [String], format: 'uuid', uniqueItems: true, maxItems: 100 })
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  groupIds!: string[];
}

export type { ApproversView, ResourceView } from '@lapse/contracts';

/** `GET /v1/resources`. */
export class ResourceQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'search: resources whose name or address contains this (case-insensitive)',
    minLength: 1,
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;
}
