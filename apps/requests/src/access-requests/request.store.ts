import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import { TOPICS, grantKey, type AccessRequest, type AccessRequestEvent } from '@lapse/contracts';
import { enqueue } from '@lapse/db';
import { decodeCursor, pageOf, type Page } from '@lapse/platform';
import { SCHEMA } from '../db/data-source';
import { AccessRequestEntity, toAccessRequest } from './access-request.entity';
import { recordOutcome, type RecordOutcome } from './request-record';

/** Which requests a caller may list: all, or their own plus those of resources they approve. */
export type ListScope =
  | { kind: 'all' }
  | { kind: 'some'; userId: string; resourceIds: readonly string[] };

export interface ListQuery {
  status?: 'OPEN' | 'RESOLVED';
  userId?: string;
  resourceId?: string;
  /** Resolved requests older than this are not listed (rule 9: 90 days). */
  resolvedSince: Date;
  scope: ListScope;
  limit: number;
  /** nextCursor of the previous page. */
  cursor?: string;
}

/** Open requests before resolved ones. */
const SORT_BUCKET = `CASE WHEN r.status = 'PENDING' THEN 0 ELSE 1 END`;
/** Open: oldest request first; resolved: newest resolution first (µs, negated). */
const SORT_TIME = `CASE WHEN r.status = 'PENDING'
    THEN (EXTRACT(EPOCH FROM r.requested_at) * 1000000)::bigint
    ELSE -(EXTRACT(EPOCH FROM COALESCE(r.resolved_at, r.requested_at)) * 1000000)::bigint END`;

/**
 * The stored requests. `record` is the one write path: the row and its access-requests.v1 event
 * (outbox) in one transaction, idempotent by id + status (see recordOutcome).
 */
@Injectable()
export class RequestStore {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async record(
    incoming: AccessRequest,
    now = new Date(),
  ): Promise<{ request: AccessRequest; outcome: RecordOutcome }> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.ds.transaction((m) => this.recordIn(m, incoming, now));
      if (result !== 'RACE') return result;
      if (attempt >= 2)
        throw new Error(`could not record request ${incoming.id}: concurrent inserts`);
    }
  }

  private async recordIn(m: EntityManager, incoming: AccessRequest, now: Date) {
    const repo = m.getRepository(AccessRequestEntity);
    const row = await repo
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.id = :id', { id: incoming.id })
      .getOne();
    const stored = row ? toAccessRequest(row) : null;
    const outcome = recordOutcome(stored, incoming, now.toISOString());
    if (outcome.kind === 'ignore') return { request: stored as AccessRequest, outcome };
    const values = toRow(outcome.request, outcome.resolvedAt, now);
    if (row) {
      await repo.update({ id: incoming.id }, values);
    } else {
      const inserted = await repo
        .createQueryBuilder()
        .insert()
        .values(values)
        .orIgnore()
        .returning(['id'])
        .execute();
      if ((inserted.raw as unknown[]).length === 0) return 'RACE' as const;
    }
    const event: AccessRequestEvent = { event: outcome.event, request: outcome.request };
    await enqueue(m, SCHEMA, [
      {
        topic: TOPICS.accessRequests,
        key: grantKey(incoming),
        value: event,
      },
    ]);
    return { request: outcome.request, outcome };
  }

  async find(id: string): Promise<AccessRequest | null> {
    const row = await this.ds.getRepository(AccessRequestEntity).findOneBy({ id });
    return row ? toAccessRequest(row) : null;
  }

  /**
   * One page of the requests the query sees: open ones first, oldest first (the queue), then
   * resolved ones, newest first. Keyset paging on (bucket, signed time in µs, id), so paging
   * through a list that changes meanwhile never returns a request twice within one bucket.
   */
  async list(q: ListQuery): Promise<Page<AccessRequest>> {
    const after = decodeCursor(q.cursor, 3);
    const qb = this.query(q)
      .addSelect(SORT_BUCKET, 'sort_bucket')
      .addSelect(`(${SORT_TIME})::text`, 'sort_time')
      .orderBy(SORT_BUCKET, 'ASC')
      .addOrderBy(SORT_TIME, 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(q.limit + 1);
    if (after)
      qb.andWhere(`(${SORT_BUCKET}, ${SORT_TIME}, r.id) > (:b::int, :t::bigint, :id::text)`, {
        b: after[0],
        t: after[1],
        id: after[2],
      });
    const { entities, raw } = await qb.getRawAndEntities<{
      r_id: string;
      sort_bucket: number;
      sort_time: string;
    }>();
    const keys = new Map(raw.map((k) => [k.r_id, [Number(k.sort_bucket), k.sort_time]]));
    return pageOf(entities, q.limit, (e) => [...(keys.get(e.id) ?? []), e.id], toAccessRequest);
  }

  async count(q: Omit<ListQuery, 'limit' | 'cursor'>): Promise<number> {
    return this.query(q).getCount();
  }

  /** Resources with an open request or one resolved since `since` (candidates for approver scopes). */
  async activeResourceIds(since: Date): Promise<string[]> {
    const rows: { resource_id: string }[] = await this.ds.query(
      `SELECT DISTINCT resource_id FROM "${SCHEMA}".access_requests WHERE status = 'PENDING' OR resolved_at >= $1`,
      [since],
    );
    return rows.map((r) => r.resource_id);
  }

  private query(q: Omit<ListQuery, 'limit' | 'cursor'>) {
    const qb = this.ds.getRepository(AccessRequestEntity).createQueryBuilder('r');
    if (q.status === 'OPEN') qb.where(`r.status = 'PENDING'`);
    else if (q.status === 'RESOLVED')
      qb.where(`r.status <> 'PENDING' AND r.resolved_at >= :since`, { since: q.resolvedSince });
    else qb.where(`(r.status = 'PENDING' OR r.resolved_at >= :since)`, { since: q.resolvedSince });
    if (q.userId) qb.andWhere('r.user_id = :userId', { userId: q.userId });
    if (q.resourceId) qb.andWhere('r.resource_id = :resourceId', { resourceId: q.resourceId });
    const scope = q.scope;
    if (scope.kind === 'some') {
      qb.andWhere(
        new Brackets((b) => {
          b.where('r.user_id = :me', { me: scope.userId });
          if (scope.resourceIds.length > 0)
            b.orWhere('r.resource_id IN (:...mine)', { mine: scope.resourceIds });
        }),
      );
    }
    return qb;
  }
}

function toRow(r: AccessRequest, resolvedAt: string | null, now: Date): AccessRequestEntity {
  const d = (s: string | null) => (s === null ? null : new Date(s));
  return {
    id: r.id,
    type: r.type,
    userId: r.userId,
    resourceId: r.resourceId,
    reason: r.reason,
    durationSeconds: r.durationSeconds,
    approvalMode: r.approvalMode,
    status: r.status,
    requestedAt: new Date(r.requestedAt),
    expiresAt: new Date(r.expiresAt),
    reviewerId: r.reviewerId,
    reviewedAt: d(r.reviewedAt),
    note: r.note,
    resolvedAt: d(resolvedAt),
    updatedAt: now,
  };
}
