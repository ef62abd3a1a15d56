import type { DataSource } from 'typeorm';
import { decodeCursor, pageOf, type Page } from '@lapse/platform';
import type { NewDelivery } from '../planning/plan';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  type AttemptResult,
  type DeliveryChannel,
  type DeliveryStatus,
} from './delivery.entity';

/** An attempt about to send. */
export interface AttemptStart {
  deliveryId: string;
  attempt: number;
  at: Date;
}

/** How a started attempt ended. */
export interface AttemptCompletion {
  outcome: AttemptResult;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryFilter {
  requestId?: string;
  status?: DeliveryStatus;
  channel?: DeliveryChannel;
  limit: number;
  /** nextCursor of the previous page. */
  cursor?: string;
}

/** `created_at` to the microsecond: a cursor must not lose the precision Date drops. */
const CREATED_KEY = `to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

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
      .values(
        rows.map((r) => ({
          ...r,
          status: 'PENDING' as const,
          attemptCount: 0,
          lastError: null,
          deliveredAt: null,
        })),
      )
      .orIgnore()
      .execute();
    return this.ds.getRepository(DeliveryEntity).find({ where: rows.map((r) => ({ id: r.id })) });
  }

  get(id: string): Promise<DeliveryEntity | null> {
    return this.ds.getRepository(DeliveryEntity).findOne({ where: { id } });
  }

  /**
   * Logs an attempt BEFORE it sends (outcome STARTED) and counts it; returns the row id for
   * `completeAttempt`. An attempt cut off by a crash after its send keeps its STARTED row.
   */
  async startAttempt(a: AttemptStart): Promise<string> {
    return this.ds.transaction(async (m) => {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO notifications.delivery_attempts (delivery_id, attempt, at, outcome, status_code, error, duration_ms)
         VALUES ($1, $2, $3, 'STARTED', NULL, NULL, NULL) RETURNING id`,
        [a.deliveryId, a.attempt, a.at],
      );
      await m.query(
        `UPDATE notifications.deliveries SET attempt_count = attempt_count + 1, updated_at = now() WHERE id = $1`,
        [a.deliveryId],
      );
      return String(rows[0].id);
    });
  }

  /** Completes a started attempt and moves the delivery on (DELIVERED and FAILED are final). */
  async completeAttempt(
    attemptId: string,
    deliveryId: string,
    c: AttemptCompletion,
  ): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(
        `UPDATE notifications.delivery_attempts SET outcome = $2, status_code = $3, error = $4, duration_ms = $5
          WHERE id = $1 AND outcome = 'STARTED'`,
        [attemptId, c.outcome, c.statusCode, c.error, c.durationMs],
      );
      const status: DeliveryStatus = c.outcome === 'RETRY' ? 'PENDING' : c.outcome;
      await m.query(
        `UPDATE notifications.deliveries
            SET status = CASE WHEN status = 'PENDING' THEN $2 ELSE status END,
                last_error = $3,
                delivered_at = CASE WHEN $2 = 'DELIVERED' AND delivered_at IS NULL THEN now() ELSE delivered_at END,
                updated_at = now()
          WHERE id = $1`,
        [deliveryId, status, c.error],
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

  /**
   * One page of deliveries, newest first, each with its attempts in order. Keyset paging on
   * (created_at DESC, id ASC), so deliveries planned meanwhile never shift a page.
   */
  async list(f: DeliveryFilter): Promise<Page<DeliveryEntity>> {
    const after = decodeCursor(f.cursor, 2);
    const qb = this.ds
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .addSelect(CREATED_KEY, 'created_key')
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .limit(f.limit + 1);
    if (f.requestId) qb.andWhere('d.request_id = :requestId', { requestId: f.requestId });
    if (f.status) qb.andWhere('d.status = :status', { status: f.status });
    if (f.channel) qb.andWhere('d.channel = :channel', { channel: f.channel });
    if (after)
      qb.andWhere(
        '(d.created_at < :at::timestamptz OR (d.created_at = :at::timestamptz AND d.id > :id))',
        { at: after[0], id: after[1] },
      );
    const { entities, raw } = await qb.getRawAndEntities<{ d_id: string; created_key: string }>();
    const keys = new Map(raw.map((k) => [k.d_id, k.created_key]));
    const page = pageOf(
      entities,
      f.limit,
      (d) => [keys.get(d.id) ?? '', d.id],
      (d) => d,
    );
    const deliveries = page.items;
    if (deliveries.length === 0) return page;
    const attempts = await this.ds
      .getRepository(DeliveryAttemptEntity)
      .createQueryBuilder('a')
      .where('a.delivery_id IN (:...ids)', { ids: deliveries.map((d) => d.id) })
      .orderBy('a.id', 'ASC')
      .getMany();
    for (const d of deliveries) d.attempts = attempts.filter((a) => a.deliveryId === d.id);
    return page;
  }
}
