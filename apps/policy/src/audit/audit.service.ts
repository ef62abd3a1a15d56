import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor, limitOf, pageOf, type Page } from '@lapse/platform';
import type { AuditEntry } from './audit.repository';
import type { AuditQueryDto } from './audit.dto';
import { Where } from '../common/sql';

interface AuditRow {
  id: string;
  category: AuditEntry['category'];
  action: string;
  actor_id: string | null;
  entity_type: string;
  entity_id: string;
  resource_id: string | null;
  user_id: string | null;
  before: unknown;
  after: unknown;
  at: Date;
  /** `at` to the microsecond: the cursor must not lose precision Date drops. */
  at_key: string;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Newest first (at, then id), filtered by category, resource, user, actor and time range;
   * paged by keyset on (at, id), so paging through a log that grows meanwhile returns each
   * entry once.
   */
  async list(q: AuditQueryDto): Promise<Page<AuditEntry>> {
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 2);
    const w = new Where();
    if (q.category) w.add('category = ?', q.category);
    if (q.resourceId) w.add('resource_id = ?', q.resourceId);
    if (q.userId) w.add('user_id = ?', q.userId);
    if (q.actorId) w.add('actor_id = ?', q.actorId);
    if (q.since) w.add('at >= ?', q.since);
    if (q.until) w.add('at < ?', q.until);
    if (after) w.add('(at, id) < (?::timestamptz, ?::bigint)', after[0], after[1]);
    const rows: AuditRow[] = await this.ds.query(
      `SELECT id, category, action, actor_id, entity_type, entity_id, resource_id, user_id, before, after, at,
         to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key
       FROM policy.audit_log ${w.sql} ORDER BY at DESC, id DESC LIMIT ${w.param(limit + 1)}`,
      w.params,
    );
    return pageOf(
      rows,
      limit,
      (r) => [r.at_key, String(r.id)],
      (r) => ({
        id: String(r.id),
        category: r.category,
        action: r.action,
        actorId: r.actor_id,
        entityType: r.entity_type,
        entityId: r.entity_id,
        resourceId: r.resource_id,
        userId: r.user_id,
        before: r.before,
        after: r.after,
        at: r.at.toISOString(),
      }),
    );
  }
}
