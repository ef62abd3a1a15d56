import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  ValidateIf,
  ValidateNested,
  IsDefined,
} from 'class-validator';
import { ROLES, type Role } from '@lapse/contracts';

/** `whsec_` + base64 of 24 to 64 random bytes (Standard Webhooks). */
export const WEBHOOK_SECRET =
  /^whsec_(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class WebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/lapse', format: 'uri' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;

  @ApiProperty({
    required: false,
    nullable: true,
    pattern: WEBHOOK_SECRET.source,
    description:
      'Standard Webhooks secret `whsec_<base64 of 24-64 bytes>`. Left out: the current one is kept, or one is generated and returned in this answer only. Never returned in full otherwise.',
  })
  @IsOptional()
  @IsString()
  @Matches(WEBHOOK_SECRET, { message: 'must be whsec_ followed by 24 to 64 bytes in base64' })
  secret?: string;
}

export class NotificationSettingsDto {
  @ApiProperty()
  @IsBoolean()
  emailEnabled!: boolean;

  @ApiProperty({ enum: ROLES, isArray: true, uniqueItems: true })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  emailRoles!: Role[];

  @ApiProperty({
    type: [String],
    format: 'uuid',
    uniqueItems: true,
    maxItems: 5_000,
    description: 'at most 5,000: what fits in the 256 kB a request body may carry',
  })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(5_000)
  @IsUUID('all', { each: true })
  optedOutUserIds!: string[];

  @ApiProperty({ type: WebhookDto, nullable: true })
  // Required (PUT replaces the settings): null turns the webhook off.
  @ValidateIf((_, v) => v !== null)
  @IsDefined()
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

/** `POST /v1/settings/notifications/webhook-test` (OpenAPI). */
export class WebhookTestResultDto {
  @ApiProperty() url!: string;
  @ApiProperty({ description: 'the receiver answered 2xx' }) delivered!: boolean;
  @ApiProperty({ type: Number, nullable: true }) statusCode!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the start of the receiver’s answer (at most 2000 bytes)',
  })
  responseBody!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'why nothing was delivered' })
  error!: string | null;
  @ApiProperty() durationMs!: number;
}
