import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { PolicyOverride } from '@lapse/contracts';
import {
  LapseError,
  decodeCursor,
  limitOf,
  pageOf,
  type Page,
  type PageQueryDto,
} from '@lapse/platform';
import { ChangeRecorder } from '../changes/change-recorder';
import { Where } from '../common/sql';
import { parseOverride } from '../resources/policy-input';
import type { AssignmentView, PutAssignmentDto } from './assignments.dto';

interface AssignmentRow {
  resource_id: string;
  group_id: string;
  override: PolicyOverride;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function view(r: AssignmentRow): AssignmentView {
  return {
    resourceId: r.resource_id,
    groupId: r.group_id,
    policy: r.override,
    expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const COLUMNS = 'resource_id, group_id, override, expires_at, created_at, updated_at';

/** A group's access to a resource. Every change is followed by a grant sync of the group's members. */
@Injectable()
export class AssignmentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

  /** The resource's assignments, in group id order. */
  async list(resourceId: string, q: PageQueryDto): Promise<Page<AssignmentView>> {
    await this.requireRow(this.ds.manager, 'resources', 'resource', resourceId);
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 1);
    const w = new Where().add('resource_id = ?', resourceId);
    if (after) w.add('group_id > ?::uuid', after[0]);
    const rows: AssignmentRow[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM policy.assignments ${w.sql} ORDER BY group_id LIMIT ${w.param(limit + 1)}`,
      w.params,
    );
    return pageOf(rows, limit, (r) => [r.group_id], view);
  }

  /** A group's assignments (the resources it reaches), in resource id order. */
  async listForGroup(groupId: string, q: PageQueryDto): Promise<Page<AssignmentView>> {
    await this.requireRow(this.ds.manager, 'groups', 'group', groupId);
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 1);
    const w = new Where().add('group_id = ?', groupId);
    if (after) w.add('resource_id > ?::uuid', after[0]);
    const rows: AssignmentRow[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM policy.assignments ${w.sql} ORDER BY resource_id LIMIT ${w.param(limit + 1)}`,
      w.params,
    );
    return pageOf(rows, limit, (r) => [r.resource_id], view);
  }

  private async requireRow(
    m: EntityManager,
    table: 'resources' | 'groups',
    what: string,
    id: string,
  ): Promise<void> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM policy.${table} WHERE id = $1 FOR SHARE`, [
      id,
    ]);
    if (rows.length === 0) throw LapseError.notFound(what, id);
  }

  private async find(
    m: EntityManager,
    resourceId: string,
    groupId: string,
  ): Promise<AssignmentView | null> {
    const rows: AssignmentRow[] = await m.query(
      `SELECT ${COLUMNS} FROM policy.assignments WHERE resource_id = $1 AND group_id = $2 FOR UPDATE`,
      [resourceId, groupId],
    );
    return rows[0] ? view(rows[0]) : null;
  }

  /** Creates or replaces the assignment; returns it and whether it was created. */
  async put(
    resourceId: string,
    groupId: string,
    dto: PutAssignmentDto,
    actorId: string | null,
  ): Promise<{ created: boolean; assignment: AssignmentView }> {
    const override = parseOverride(dto.policy);
    const expiresAt = dto.expiresAt ?? null;
    if (expiresAt !== null && Date.parse(expiresAt) <= Date.now())
      throw LapseError.validation('expiresAt', 'must be in the future');
    return this.ds.transaction(async (m) => {
      await this.requireRow(m, 'resources', 'resource', resourceId);
      await this.requireRow(m, 'groups', 'group', groupId);
      const before = await this.find(m, resourceId, groupId);
      const [row]: AssignmentRow[] = await m.query(
        `INSERT INTO policy.assignments (resource_id, group_id, override, expires_at) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (resource_id, group_id) DO UPDATE SET override = EXCLUDED.override, expires_at = EXCLUDED.expires_at,
           expiry_synced = false, updated_at = now()
         RETURNING ${COLUMNS}`,
        [resourceId, groupId, JSON.stringify(override), expiresAt],
      );
      const after = view(row);
      await this.changes.record(m, {
        kind: 'assignment.put',
        entityType: 'assignment',
        entityId: `${resourceId}:${groupId}`,
        resourceId,
        actorId,
        before,
        after,
        sync: [{ kind: 'RESOURCE_GROUPS', resourceId, groupIds: [groupId] }],
      });
      return { created: before === null, assignment: after };
    });
  }

  async remove(resourceId: string, groupId: string, actorId: string | null): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.find(m, resourceId, groupId);
      if (!before)
        throw LapseError.notFound('assignment', `of group ${groupId} to resource ${resourceId}`);
      await m.query(`DELETE FROM policy.assignments WHERE resource_id = $1 AND group_id = $2`, [
        resourceId,
        groupId,
      ]);
      await this.changes.record(m, {
        kind: 'assignment.deleted',
        entityType: 'assignment',
        entityId: `${resourceId}:${groupId}`,
        resourceId,
        actorId,
        before,
        after: null,
        sync: [{ kind: 'RESOURCE_GROUPS', resourceId, groupIds: [groupId] }],
      });
    });
  }
}
