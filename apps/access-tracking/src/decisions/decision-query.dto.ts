import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class DecisionQueryDto {
  @ApiProperty({ description: 'The user trying to connect', minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId!: string;

  @ApiProperty({ description: 'The resource they try to reach', minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  resourceId!: string;
}

export class DecisionDto {
  @ApiProperty() allowed!: boolean;
  @ApiProperty({ enum: ['ACTIVE', 'LOCKED', 'PENDING', 'EXPIRED', 'REVOKED', 'NO_GRANT'] })
  state!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ required: false, format: 'date-time' }) lockedAt?: string;
  @ApiProperty({ required: false, format: 'date-time' }) activeUntil?: string;
  @ApiProperty({
    required: false,
    description:
      'true when the grant states this answer comes from may be older than the staleness bound (grants.state.v1 not read lately); the answer still enforces activeUntil locally',
  })
  stale?: boolean;
}
