import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type {
  DeliveryAttemptEntity,
  DeliveryChannel,
  DeliveryEntity,
  DeliveryStatus,
} from './delivery.entity';

export class ListDeliveriesQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) requestId?: string;
  @ApiPropertyOptional({ enum: ['PENDING', 'DELIVERED', 'FAILED'] })
  @IsOptional()
  @IsIn(['PENDING', 'DELIVERED', 'FAILED'])
  status?: DeliveryStatus;
  @ApiPropertyOptional({ enum: ['EMAIL', 'WEBHOOK'] })
  @IsOptional()
  @IsIn(['EMAIL', 'WEBHOOK'])
  channel?: DeliveryChannel;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
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
