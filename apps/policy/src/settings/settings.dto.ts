import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ROLES, type Role } from '@lapse/contracts';

export class WebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/lapse' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;

  @ApiProperty({ description: 'HMAC secret (16–200 characters); never returned in full' })
  @IsString()
  @Length(16, 200)
  secret!: string;
}

export class NotificationSettingsDto {
  @ApiProperty()
  @IsBoolean()
  emailEnabled!: boolean;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  emailRoles!: Role[];

  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  optedOutUserIds!: string[];

  @ApiProperty({ type: WebhookDto, nullable: true })
  @ValidateIf((_, v) => v !== null)
  @ValidateNested()
  @Type(() => WebhookDto)
  webhook!: WebhookDto | null;
}

export interface NotificationSettings {
  emailEnabled: boolean;
  emailRoles: Role[];
  optedOutUserIds: string[];
  webhook: { url: string; secret: string } | null;
}
