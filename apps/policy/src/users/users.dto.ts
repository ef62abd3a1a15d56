import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { ROLES, type Role, type UserView } from '@lapse/contracts';
import { PageDto, PageQueryDto } from '@lapse/platform';

export class CreateUserDto {
  @ApiProperty({ example: 'alex@example.com', format: 'email', maxLength: 320 })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Alex Marshall', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, uniqueItems: true })
  // Left out: no role; null is refused.
  @ValidateIf((_, v) => v !== undefined)
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];
}

/** PATCH merges: a field left out keeps its value. */
export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'Alex Marshall', minLength: 1, maxLength: 200 })
  // Left out keeps the value; null is refused.
  @ValidateIf((_, v) => v !== undefined)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, uniqueItems: true })
  // Left out keeps the value; null is refused.
  @ValidateIf((_, v) => v !== undefined)
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({ description: 'false offboards the user (rule 12); true brings them back' })
  // Left out keeps the value; null is refused (it is neither true nor false).
  @ValidateIf((_, v) => v !== undefined)
  @IsBoolean()
  active?: boolean;
}

export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'search: users whose name or email contains this (case-insensitive)',
    minLength: 1,
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ format: 'email' })
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({
    description: "The identity provider's id for the user (SCIM externalId)",
    minLength: 1,
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  externalId?: string;
}

export type { UserView } from '@lapse/contracts';

/** A user as the API answers it (OpenAPI). */
export class UserResponse implements UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ type: [String], format: 'uuid' }) groupIds!: string[];
  @ApiProperty({ description: 'false: offboarded (rule 12)' }) active!: boolean;
  @ApiProperty({ type: String, nullable: true }) externalId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class UserPage extends PageDto {
  @ApiProperty({ type: UserResponse, isArray: true }) items!: UserResponse[];
}
