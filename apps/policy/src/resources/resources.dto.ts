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
} from 'class-validator';
import { PageQueryDto } from '@lapse/platform';

const policyExample = {
  autoLock: { durationSeconds: 2592000, approval: 'MANUAL' },
  accessRequests: null,
};

export class CreateResourceDto {
  @ApiProperty({ example: 'Gitlab' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'gitlab.internal.example.com' })
  @IsString()
  @Length(1, 500)
  address!: string;

  @ApiPropertyOptional({
    description: 'Default policy; both fields required, null turns a feature off',
    example: policyExample,
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class UpdateResourceDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 500)
  address?: string;

  @ApiPropertyOptional({ example: policyExample, nullable: true })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class ApproversDto {
  @ApiProperty({ type: [String], format: 'uuid' })
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
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;
}
