import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditEntry } from './audit.repository';
import type { AuditQueryDto } from './audit.dto';

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
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Newest first, filtered by category, resource and time. */
  async list(q: AuditQueryDto): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.category) add('category = ?', q.category);
    if (q.resourceId) add('resource_id = ?', q.resourceId);
    if (q.since) add('at >= ?', q.since);
    if (q.until) add('at < ?', q.until);
    params.push(q.limit ?? 100);
    const rows: AuditRow[] = await this.ds.query(
      `SELECT id, category, action, actor_id, entity_type, entity_id, resource_id, user_id, before, after, at
       FROM policy.audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
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
    }));
  }
}
