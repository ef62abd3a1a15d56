import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageDto, PageQueryDto } from '@lapse/platform';
import {
  GRANT_SCHEMA,
  LIMITS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  APPROVAL_MODES,
} from '@lapse/contracts';

export class SubmitRequestDto {
  @ApiProperty({ description: 'The resource to regain access to', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  resourceId!: string;

  @ApiProperty({
    description: 'Why access is needed (1–1000 characters)',
    minLength: 1,
    maxLength: LIMITS.reasonMaxLength,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.reasonMaxLength)
  reason!: string;

  @ApiPropertyOptional({
    description: 'JIT with a CUSTOM period: seconds of access asked for (at most 7 days)',
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: LIMITS.customAccessPeriodMaxSeconds,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.customAccessPeriodMaxSeconds)
  durationSeconds?: number;
}

export class ReviewDto {
  @ApiPropertyOptional({
    description: 'A note for the requester (at most 1000 characters)',
    type: String,
    nullable: true,
    maxLength: LIMITS.reasonMaxLength,
  })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.reasonMaxLength)
  note?: string;
}

export class ListRequestsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['OPEN', 'RESOLVED'],
    description: 'Omitted: open and resolved in the last 90 days',
  })
  @IsOptional()
  @IsIn(['OPEN', 'RESOLVED'])
  status?: 'OPEN' | 'RESOLVED';

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  userId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  resourceId?: string;
}

export class CountRequestsQuery {
  @ApiProperty({ enum: ['OPEN'] })
  @IsIn(['OPEN'])
  status!: 'OPEN';
}

/** The request as the API returns it. */
export class AccessRequestResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: REQUEST_TYPES }) type!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() resourceId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: Number, nullable: true }) durationSeconds!: number | null;
  @ApiProperty({ enum: APPROVAL_MODES }) approvalMode!: string;
  @ApiProperty({ enum: REQUEST_STATUSES }) status!: string;
  @ApiProperty() requestedAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ type: String, nullable: true }) reviewerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) reviewedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
}

export class AccessRequestPage extends PageDto {
  @ApiProperty({ type: AccessRequestResponse, isArray: true }) items!: AccessRequestResponse[];
}

export class CountResponse {
  @ApiProperty({ enum: ['OPEN'] }) status!: 'OPEN';
  @ApiProperty() count!: number;
  @ApiProperty({
    description:
      'Whether the caller reviews requests at all (a reviewer role or a resource approver): the console shows the review page to them',
  })
  reviewer!: boolean;
}

class ReviewQueueItem {
  @ApiProperty({ type: AccessRequestResponse }) request!: AccessRequestResponse;
  @ApiProperty({ description: 'Whether the caller may approve or deny it now' })
  canDecide!: boolean;
  @ApiProperty({ enum: ['OWN_REQUEST', 'READ_ONLY', 'NOT_A_REVIEWER'], nullable: true })
  whyNot!: 'OWN_REQUEST' | 'READ_ONLY' | 'NOT_A_REVIEWER' | null;
}

export class ReviewQueueResponse {
  @ApiProperty({ description: 'Whether the caller reviews requests at all' }) reviewer!: boolean;
  @ApiProperty({ type: ReviewQueueItem, isArray: true }) items!: ReviewQueueItem[];
}

class GrantResourceResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() address!: string;
}

export class OwnGrantResponse {
  @ApiProperty({ type: GrantResourceResponse }) resource!: GrantResourceResponse;
  @ApiProperty({
    ...(GRANT_SCHEMA as object),
    description:
      'The grant as its workflow holds it: state, effective policy, lock reason, times, open request',
  } as ApiPropertyOptions)
  grant!: object;
}
