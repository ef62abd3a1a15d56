import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageDto, PageQueryDto } from '@lapse/platform';
import {
  ATTEMPT_OUTCOMES,
  type DeliveryAttemptEntity,
  type DeliveryChannel,
  type DeliveryEntity,
  type DeliveryStatus,
} from './delivery.entity';

export class ListDeliveriesQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  requestId?: string;
  @ApiPropertyOptional({ enum: ['PENDING', 'DELIVERED', 'FAILED'] })
  @IsOptional()
  @IsIn(['PENDING', 'DELIVERED', 'FAILED'])
  status?: DeliveryStatus;
  @ApiPropertyOptional({ enum: ['EMAIL', 'WEBHOOK'] })
  @IsOptional()
  @IsIn(['EMAIL', 'WEBHOOK'])
  channel?: DeliveryChannel;
}

export interface AttemptView {
  attempt: number;
  at: string;
  outcome: DeliveryAttemptEntity['outcome'];
  statusCode: number | null;
  error: string | null;
  /** Null while STARTED. */
  durationMs: number | null;
}

export interface DeliveryView {
  id: string;
  idempotencyKey: string;
  channel: DeliveryChannel;
  requestId: string;
  event: string;
  recipient: string;
  userId: string | null;
  template: string | null;
  subject: string | null;
  status: DeliveryStatus;
  attemptCount: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attempts: AttemptView[];
}

class AttemptResponse implements AttemptView {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ATTEMPT_OUTCOMES }) outcome!: AttemptView['outcome'];
  @ApiProperty({ type: Number, nullable: true }) statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
}

class DeliveryResponse implements DeliveryView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The receiver deduplicates on it' }) idempotencyKey!: string;
  @ApiProperty({ enum: ['EMAIL', 'WEBHOOK'] }) channel!: DeliveryChannel;
  @ApiProperty() requestId!: string;
  @ApiProperty() event!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) template!: string | null;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty({ enum: ['PENDING', 'DELIVERED', 'FAILED'] }) status!: DeliveryStatus;
  @ApiProperty() attemptCount!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ type: AttemptResponse, isArray: true }) attempts!: AttemptResponse[];
}

export class DeliveryPage extends PageDto {
  @ApiProperty({ type: DeliveryResponse, isArray: true }) items!: DeliveryResponse[];
}

export function toView(d: DeliveryEntity): DeliveryView {
  return {
    id: d.id,
    idempotencyKey: d.id,
    channel: d.channel,
    requestId: d.requestId,
    event: d.event,
    recipient: d.recipient,
    userId: d.userId,
    template: d.template,
    subject: d.payload.kind === 'EMAIL' ? d.payload.subject : null,
    status: d.status,
    attemptCount: d.attemptCount,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    attempts: (d.attempts ?? []).map((a) => ({
      attempt: a.attempt,
      at: a.at.toISOString(),
      outcome: a.outcome,
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
    })),
  };
}
