import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryColumn,
  UpdateDateColumn,
  ManyToOne,
  JoinColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

export type DeliveryChannel = 'EMAIL' | 'WEBHOOK';
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';
/** STARTED: written before the send; still STARTED later means the attempt was cut off (outcome unknown). */
export const ATTEMPT_OUTCOMES = ['STARTED', 'DELIVERED', 'RETRY', 'FAILED'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
export type AttemptResult = Exclude<AttemptOutcome, 'STARTED'>;

export interface EmailPayload {
  kind: 'EMAIL';
  to: string;
  subject: string;
  html: string;
  text: string;
}
/**
 * The exact body bytes are stored: every attempt sends the same bytes, signed per attempt (the
 * timestamp is part of the signature) with the secret in force when the delivery was planned.
 */
export interface WebhookPayload {
  kind: 'WEBHOOK';
  url: string;
  body: string;
  /** The webhook's `whsec_` secret (never shown by the deliveries API). */
  secret: string;
}
export type DeliveryPayload = EmailPayload | WebhookPayload;

/** One message to one recipient (or the webhook) about one request event. id = Idempotency-Key = workflow id. */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') channel!: DeliveryChannel;
  @Column('text', { name: 'request_id' }) requestId!: string;
  @Column('text') event!: string;
  /** Email address or webhook URL. */
  @Column('text') recipient!: string;
  @Column('text', { name: 'user_id', nullable: true }) userId!: string | null;
  @Column('text', { nullable: true }) template!: string | null;
  @Column('jsonb') payload!: DeliveryPayload;
  @Column('text') status!: DeliveryStatus;
  @Column('int', { name: 'attempt_count', default: 0 }) attemptCount!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt!: Date | null;
  @OneToMany(() => DeliveryAttemptEntity, (a) => a.delivery) attempts?: DeliveryAttemptEntity[];
}

/** Every attempt, as logged: written (STARTED) before it sends, completed after. */
@Entity({ name: 'delivery_attempts' })
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'delivery_id' }) deliveryId!: string;
  @ManyToOne(() => DeliveryEntity, (d) => d.attempts, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery?: DeliveryEntity;
  /** Temporal's attempt number (1-based). */
  @Column('int') attempt!: number;
  @Column('timestamptz') at!: Date;
  @Column('text') outcome!: AttemptOutcome;
  @Column('int', { name: 'status_code', nullable: true }) statusCode!: number | null;
  @Column('text', { nullable: true }) error!: string | null;
  /** Null while STARTED. */
  @Column('int', { name: 'duration_ms', nullable: true }) durationMs!: number | null;
}
