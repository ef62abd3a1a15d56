import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Policy, PolicyOverride } from '@lapse/contracts';
import { samePolicy } from '@lapse/domain';
import { LapseError, decodeCursor, limitOf, pageOf, type Page } from '@lapse/platform';
import { ChangeRecorder } from '../changes/change-recorder';
import { inheritsDefault } from '../grant-sync/grant-plan';
import { Where, likePattern } from '../common/sql';
import { NO_POLICY, mergePolicy, parseOverride } from './policy-input';
import type {
  ApproversView,
  CreateResourceDto,
  ResourceQueryDto,
  ResourceView,
  UpdateResourceDto,
} from './resources.dto';

interface ResourceRow {
  id: string;
  name: string;
  address: string;
  policy: Policy;
  approver_group_ids: string[];
  created_at: Date;
  updated_at: Date;
}

const SELECT_RESOURCE = `SELECT r.id, r.name, r.address, r.policy, r.created_at, r.updated_at,
  COALESCE((SELECT array_agg(a.group_id ORDER BY a.group_id) FROM policy.approver_groups a WHERE a.resource_id = r.id), '{}') AS approver_group_ids
  FROM policy.resources r`;

function view(r: ResourceRow): ResourceView {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    policy: r.policy,
    approverGroupIds: r.approver_group_ids,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

@Injectable()
export class ResourcesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

  /** A policy field left out is off (null). */
  async create(dto: CreateResourceDto, actorId: string | null): Promise<ResourceView> {
    const policy = mergePolicy(NO_POLICY, parseOverride(dto.policy));
    return this.ds.transaction(async (m) => {
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO policy.resources (name, address, policy) VALUES ($1, $2, $3::jsonb) RETURNING id`,
        [dto.name, dto.address, JSON.stringify(policy)],
      );
      const created = await this.get(id, m);
      await this.changes.record(m, {
        kind: 'resource.created',
        entityType: 'resource',
        entityId: id,
        resourceId: id,
        actorId,
        before: null,
        after: created,
      });
      return created;
    });
  }

  /** Every resource, or those whose name or address contains `q`, by name (then id). */
  async list(q: ResourceQueryDto): Promise<Page<ResourceView>> {
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 2);
    const w = new Where();
    if (q.q) w.add('(r.name ILIKE ? OR r.address ILIKE ?)', ...Array(2).fill(likePattern(q.q)));
    if (after) w.add('(r.name, r.id) > (?, ?::uuid)', after[0], after[1]);
    const rows: ResourceRow[] = await this.ds.query(
      `${SELECT_RESOURCE} ${w.sql} ORDER BY r.name, r.id LIMIT ${w.param(limit + 1)}`,
      w.params,
    );
    return pageOf(rows, limit, (r) => [r.name, r.id], view);
  }

  /**
   * Deletes the resource with its assignments and approver groups; every grant to it is revoked
   * (the sync job names the holders, since the assignments that linked them are gone).
   */
  async remove(id: string, actorId: string | null): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.get(id, m, true);
      const assignments: { group_id: string; override: unknown; expires_at: Date | null }[] =
        await m.query(
          `SELECT group_id, override, expires_at FROM policy.assignments WHERE resource_id = $1 ORDER BY group_id`,
          [id],
        );
      const holders: { user_id: string }[] = await m.query(
        `SELECT DISTINCT m.user_id FROM policy.assignments a JOIN policy.memberships m ON m.group_id = a.group_id
         WHERE a.resource_id = $1
         UNION SELECT user_id FROM policy.grant_status WHERE resource_id = $1 AND state IN ('ACTIVE', 'LOCKED', 'PENDING')`,
        [id],
      );
      await m.query(`DELETE FROM policy.resources WHERE id = $1`, [id]);
      await this.changes.record(m, {
        kind: 'resource.deleted',
        entityType: 'resource',
        entityId: id,
        resourceId: id,
        actorId,
        before: {
          ...before,
          assignments: assignments.map((a) => ({
            groupId: a.group_id,
            policy: a.override,
            expiresAt: a.expires_at ? a.expires_at.toISOString() : null,
          })),
        },
        after: null,
        sync: [{ kind: 'RESOURCE_USERS', resourceId: id, userIds: holders.map((h) => h.user_id) }],
      });
    });
  }

  async get(id: string, m: EntityManager = this.ds.manager, lock = false): Promise<ResourceView> {
    if (lock) await m.query(`SELECT 1 FROM policy.resources WHERE id = $1 FOR UPDATE`, [id]);
    const rows: ResourceRow[] = await m.query(`${SELECT_RESOURCE} WHERE r.id = $1`, [id]);
    if (!rows[0]) throw LapseError.notFound('resource', id);
    return view(rows[0]);
  }

  /**
   * PATCH merges: a field left out (also inside `policy`) keeps its value. A new default policy
   * re-syncs only the assignments that inherit at least one field of it.
   */
  async update(id: string, dto: UpdateResourceDto, actorId: string | null): Promise<ResourceView> {
    const change = dto.policy === undefined ? undefined : parseOverride(dto.policy);
    return this.ds.transaction(async (m) => {
      const before = await this.get(id, m, true);
      const policy = change === undefined ? undefined : mergePolicy(before.policy, change);
      await m.query(
        `UPDATE policy.resources SET name = COALESCE($2, name), address = COALESCE($3, address),
           policy = COALESCE($4::jsonb, policy), updated_at = now() WHERE id = $1`,
        [id, dto.name ?? null, dto.address ?? null, policy ? JSON.stringify(policy) : null],
      );
      const after = await this.get(id, m);
      const policyChanged = policy !== undefined && !samePolicy(before.policy, policy);
      let inheriting: string[] = [];
      if (policyChanged) {
        const rows: { group_id: string; override: PolicyOverride }[] = await m.query(
          `SELECT group_id, override FROM policy.assignments WHERE resource_id = $1`,
          [id],
        );
        inheriting = rows.filter((r) => inheritsDefault(r.override)).map((r) => r.group_id);
      }
      await this.changes.record(m, {
        kind: policyChanged ? 'resource.policy.changed' : 'resource.updated',
        entityType: 'resource',
        entityId: id,
        resourceId: id,
        actorId,
        before,
        after,
        sync: inheriting.length
          ? [{ kind: 'RESOURCE_GROUPS', resourceId: id, groupIds: inheriting }]
          : [],
      });
      return after;
    });
  }

  async setApprovers(
    id: string,
    groupIds: string[],
    actorId: string | null,
  ): Promise<ResourceView> {
    const wanted = [...new Set(groupIds.map((g) => g.toLowerCase()))];
    return this.ds.transaction(async (m) => {
      const before = await this.get(id, m, true);
      const missing: { id: string }[] = await m.query(
        `SELECT g AS id FROM unnest($1::uuid[]) AS g WHERE NOT EXISTS (SELECT 1 FROM policy.groups WHERE id = g) LIMIT 1`,
        [wanted],
      );
      if (missing[0]) throw LapseError.notFound('group', missing[0].id);
      await m.query(`DELETE FROM policy.approver_groups WHERE resource_id = $1`, [id]);
      await m.query(
        `INSERT INTO policy.approver_groups (resource_id, group_id) SELECT $1, g FROM unnest($2::uuid[]) AS g`,
        [id, wanted],
      );
      const after = await this.get(id, m);
      await this.changes.record(m, {
        kind: 'resource.approvers.changed',
        entityType: 'resource',
        entityId: id,
        resourceId: id,
        actorId,
        before: { approverGroupIds: before.approverGroupIds },
        after: { approverGroupIds: after.approverGroupIds },
      });
      return after;
    });
  }

  async approvers(id: string): Promise<ApproversView> {
    const resource = await this.get(id);
    const users: { id: string; email: string; name: string }[] = await this.ds.query(
      `SELECT DISTINCT u.id, u.email, u.name FROM policy.approver_groups a
       JOIN policy.memberships m ON m.group_id = a.group_id JOIN policy.users u ON u.id = m.user_id
       WHERE a.resource_id = $1 ORDER BY u.email`,
      [id],
    );
    return { groupIds: resource.approverGroupIds, users };
  }
}
