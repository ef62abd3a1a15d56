import type { DataSource } from 'typeorm';
import type { NewDelivery } from '../planning/plan';
import { DeliveryAttemptEntity, DeliveryEntity, type AttemptOutcome, type DeliveryChannel, type DeliveryStatus } from './delivery.entity';

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: Date;
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryFilter {
  requestId?: string;
  status?: DeliveryStatus;
  channel?: DeliveryChannel;
  limit: number;
}

/** The delivery log: one row per delivery, one per attempt. */
export class DeliveryStore {
  constructor(private readonly ds: DataSource) {}

  /** Inserts the deliveries not recorded yet; returns every one of them as stored now. */
  async createIfAbsent(rows: NewDelivery[]): Promise<DeliveryEntity[]> {
    if (rows.length === 0) return [];
    await this.ds
      .createQueryBuilder()
      .insert()
      .into(DeliveryEntity)
      .values(rows.map((r) => ({ ...r, status: 'PENDING' as const, attemptCount: 0, lastError: null, deliveredAt: null })))
      .orIgnore()
      .execute();
    return this.ds.getRepository(DeliveryEntity).find({ where: rows.map((r) => ({ id: r.id })) });
  }

  get(id: string): Promise<DeliveryEntity | null> {
    return this.ds.getRepository(DeliveryEntity).findOne({ where: { id } });
  }

  /** Logs an attempt and moves the delivery on (DELIVERED and FAILED are final). */
  async recordAttempt(a: AttemptRecord): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.insert(DeliveryAttemptEntity, a);
      const status: DeliveryStatus = a.outcome === 'RETRY' ? 'PENDING' : a.outcome;
      await m.query(
        `UPDATE notifications.deliveries
            SET attempt_count = attempt_count + 1,
                status = CASE WHEN status = 'PENDING' THEN $2 ELSE status END,
                last_error = $3,
                delivered_at = CASE WHEN $2 = 'DELIVERED' AND delivered_at IS NULL THEN $4::timestamptz ELSE delivered_at END,
                updated_at = now()
          WHERE id = $1`,
        [a.deliveryId, status, a.error, a.at],
      );
    });
  }

  async markFailed(id: string, reason: string): Promise<void> {
    await this.ds.query(
      `UPDATE notifications.deliveries SET status = 'FAILED', last_error = COALESCE(last_error, $2), updated_at = now()
        WHERE id = $1 AND status = 'PENDING'`,
      [id, reason],
    );
  }

  /** Newest first, with their attempts in order. */
  async list(f: DeliveryFilter): Promise<DeliveryEntity[]> {
    const qb = this.ds
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .take(f.limit);
    if (f.requestId) qb.andWhere('d.request_id = :requestId', { requestId: f.requestId });
    if (f.status) qb.andWhere('d.status = :status', { status: f.status });
    if (f.channel) qb.andWhere('d.channel = :channel', { channel: f.channel });
    const deliveries = await qb.getMany();
    if (deliveries.length === 0) return deliveries;
    const attempts = await this.ds
      .getRepository(DeliveryAttemptEntity)
      .createQueryBuilder('a')
      .where('a.delivery_id IN (:...ids)', { ids: deliveries.map((d) => d.id) })
      .orderBy('a.id', 'ASC')
      .getMany();
    for (const d of deliveries) d.attempts = attempts.filter((a) => a.deliveryId === d.id);
    return deliveries;
  }
}
