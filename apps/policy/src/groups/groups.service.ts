import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { LapseError, decodeCursor, limitOf, pageOf, type Page } from '@lapse/platform';
import { ChangeRecorder } from '../changes/change-recorder';
import { Where, returning } from '../common/sql';
import { inTransaction } from '../common/transaction';
import type { GroupQueryDto, GroupSummary, GroupView } from './groups.dto';

interface GroupRow {
  id: string;
  name: string;
  created_at: Date;
}

/** Groups and memberships. A membership change re-syncs the member's grants to the group's resources. */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

  async create(name: string, actorId: string | null, outer?: EntityManager): Promise<GroupView> {
    return inTransaction(this.ds, outer, async (m) => {
      const [row]: GroupRow[] = await m.query(
        `INSERT INTO policy.groups (name) VALUES ($1) RETURNING id, name, created_at`,
        [name],
      );
      const group: GroupView = {
        id: row.id,
        name: row.name,
        memberIds: [],
        createdAt: row.created_at.toISOString(),
      };
      await this.changes.record(m, {
        kind: 'group.created',
        entityType: 'group',
        entityId: group.id,
        actorId,
        before: null,
        after: group,
      });
      return group;
    });
  }

  async get(id: string, m: EntityManager = this.ds.manager): Promise<GroupView> {
    const rows: GroupRow[] = await m.query(
      `SELECT id, name, created_at FROM policy.groups WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw LapseError.notFound('group', id);
    return {
      id: rows[0].id,
      name: rows[0].name,
      memberIds: await this.memberIds(m, id),
      createdAt: rows[0].created_at.toISOString(),
    };
  }

  /** Every group, by name (then id), with its member count. */
  async list(q: GroupQueryDto): Promise<Page<GroupSummary>> {
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 2);
    const w = new Where();
    if (after) w.add('(g.name, g.id) > (?, ?::uuid)', after[0], after[1]);
    const rows: (GroupRow & { member_count: string })[] = await this.ds.query(
      `SELECT g.id, g.name, g.created_at,
         (SELECT count(*) FROM policy.memberships m WHERE m.group_id = g.id) AS member_count
       FROM policy.groups g ${w.sql} ORDER BY g.name, g.id LIMIT ${w.param(limit + 1)}`,
      w.params,
    );
    return pageOf(
      rows,
      limit,
      (r) => [r.name, r.id],
      (r) => ({
        id: r.id,
        name: r.name,
        memberCount: Number(r.member_count),
        createdAt: r.created_at.toISOString(),
      }),
    );
  }

  async rename(id: string, name: string, actorId: string | null): Promise<GroupView> {
    return this.ds.transaction(async (m) => {
      await this.lockGroup(m, id);
      const before = await this.get(id, m);
      if (before.name === name) return before;
      await m.query(`UPDATE policy.groups SET name = $2, updated_at = now() WHERE id = $1`, [
        id,
        name,
      ]);
      const after = await this.get(id, m);
      await this.changes.record(m, {
        kind: 'group.renamed',
        entityType: 'group',
        entityId: id,
        actorId,
        before: { name: before.name },
        after: { name: after.name },
      });
      return after;
    });
  }

  /**
   * Deletes the group with its memberships, assignments and approver roles. The grants its
   * assignments gave are recomputed from what each member has left (revoked when nothing): the
   * sync jobs name the members and resources explicitly, since the rows linking them are gone.
   */
  async remove(id: string, actorId: string | null): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.lockGroup(m, id);
      const before = await this.get(id, m);
      const assignments: { resource_id: string; override: unknown; expires_at: Date | null }[] =
        await m.query(
          `SELECT resource_id, override, expires_at FROM policy.assignments WHERE group_id = $1 ORDER BY resource_id`,
          [id],
        );
      const approverOf: { resource_id: string }[] = await m.query(
        `SELECT resource_id FROM policy.approver_groups WHERE group_id = $1 ORDER BY resource_id`,
        [id],
      );
      await m.query(`DELETE FROM policy.groups WHERE id = $1`, [id]);
      await this.changes.record(m, {
        kind: 'group.deleted',
        entityType: 'group',
        entityId: id,
        actorId,
        before: {
          ...before,
          assignments: assignments.map((a) => ({
            resourceId: a.resource_id,
            policy: a.override,
            expiresAt: a.expires_at ? a.expires_at.toISOString() : null,
          })),
          approverOf: approverOf.map((a) => a.resource_id),
        },
        after: null,
        sync: assignments.map((a) => ({
          kind: 'RESOURCE_USERS',
          resourceId: a.resource_id,
          userIds: before.memberIds,
        })),
      });
    });
  }

  private async memberIds(m: EntityManager, groupId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await m.query(
      `SELECT user_id FROM policy.memberships WHERE group_id = $1 ORDER BY user_id`,
      [groupId],
    );
    return rows.map((r) => r.user_id);
  }

  /** Locks the group row so concurrent membership changes of one group serialize. */
  private async lockGroup(m: EntityManager, id: string): Promise<void> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM policy.groups WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (rows.length === 0) throw LapseError.notFound('group', id);
  }

  private async requireUsers(m: EntityManager, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const rows: { id: string }[] = await m.query(
      `SELECT u AS id FROM unnest($1::uuid[]) AS u WHERE NOT EXISTS (SELECT 1 FROM policy.users WHERE id = u) LIMIT 1`,
      [userIds],
    );
    if (rows[0]) throw LapseError.notFound('user', rows[0].id);
  }

  async replaceMembers(
    groupId: string,
    userIds: string[],
    actorId: string | null,
  ): Promise<GroupView> {
    const wanted = [...new Set(userIds.map((u) => u.toLowerCase()))];
    return this.ds.transaction(async (m) => {
      await this.lockGroup(m, groupId);
      await this.requireUsers(m, wanted);
      const before = await this.memberIds(m, groupId);
      const removed = await returning<{ user_id: string }>(
        m,
        `DELETE FROM policy.memberships WHERE group_id = $1 AND NOT (user_id = ANY($2::uuid[])) RETURNING user_id`,
        [groupId, wanted],
      );
      const added: { user_id: string }[] = await m.query(
        `INSERT INTO policy.memberships (group_id, user_id) SELECT $1, u FROM unnest($2::uuid[]) AS u
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [groupId, wanted],
      );
      const changed = [...removed, ...added].map((r) => r.user_id);
      const after = await this.get(groupId, m);
      if (changed.length > 0) {
        await this.changes.record(m, {
          kind: 'group.members.replaced',
          entityType: 'group',
          entityId: groupId,
          actorId,
          before: { memberIds: before },
          after: {
            memberIds: after.memberIds,
            added: added.map((r) => r.user_id),
            removed: removed.map((r) => r.user_id),
          },
          sync: [{ kind: 'GROUP_USERS', groupId, userIds: changed }],
        });
      }
      return after;
    });
  }

  /** Idempotent: adding a member twice changes nothing the second time. */
  async addMember(groupId: string, userId: string, actorId: string | null): Promise<GroupView> {
    return this.ds.transaction(async (m) => {
      await this.lockGroup(m, groupId);
      await this.requireUsers(m, [userId]);
      const added: unknown[] = await m.query(
        `INSERT INTO policy.memberships (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`,
        [groupId, userId],
      );
      if (added.length > 0) {
        await this.changes.record(m, {
          kind: 'group.member.added',
          entityType: 'membership',
          entityId: `${groupId}:${userId}`,
          actorId,
          userId,
          before: null,
          after: { groupId, userId },
          sync: [{ kind: 'GROUP_USERS', groupId, userIds: [userId] }],
        });
      }
      return this.get(groupId, m);
    });
  }

  async removeMember(groupId: string, userId: string, actorId: string | null): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.lockGroup(m, groupId);
      const removed = await returning<{ user_id: string }>(
        m,
        `DELETE FROM policy.memberships WHERE group_id = $1 AND user_id = $2 RETURNING user_id`,
        [groupId, userId],
      );
      if (removed.length === 0)
        throw LapseError.notFound('member', `${userId} of group ${groupId}`);
      await this.changes.record(m, {
        kind: 'group.member.removed',
        entityType: 'membership',
        entityId: `${groupId}:${userId}`,
        actorId,
        userId,
        before: { groupId, userId },
        after: null,
        sync: [{ kind: 'GROUP_USERS', groupId, userIds: [userId] }],
      });
    });
  }

  /**
   * Adds and removes members in one transaction (the caller's, when given): idempotent per member
   * (adding a member twice or removing a non-member changes nothing), audited as one change, and
   * only the users whose membership changed are re-synced. Concurrent changes of one group
   * serialize on the group row, so neither is lost (a replace from a stale read would be).
   */
  async changeMembers(
    groupId: string,
    change: { add: string[]; remove: string[] },
    actorId: string | null,
    outer?: EntityManager,
  ): Promise<{ added: string[]; removed: string[] }> {
    const add = [...new Set(change.add.map((u) => u.toLowerCase()))];
    const remove = [...new Set(change.remove.map((u) => u.toLowerCase()))].filter(
      (u) => !add.includes(u),
    );
    return inTransaction(this.ds, outer, async (m) => {
      await this.lockGroup(m, groupId);
      await this.requireUsers(m, add);
      const before = await this.memberIds(m, groupId);
      const removed = (
        await returning<{ user_id: string }>(
          m,
          `DELETE FROM policy.memberships WHERE group_id = $1 AND user_id = ANY($2::uuid[]) RETURNING user_id`,
          [groupId, remove],
        )
      ).map((r) => r.user_id);
      const added = (
        (await m.query(
          `INSERT INTO policy.memberships (group_id, user_id) SELECT $1, u FROM unnest($2::uuid[]) AS u
           ON CONFLICT DO NOTHING RETURNING user_id`,
          [groupId, add],
        )) as { user_id: string }[]
      ).map((r) => r.user_id);
      const changed = [...added, ...removed];
      if (changed.length > 0) {
        await this.changes.record(m, {
          kind: 'group.members.changed',
          entityType: 'group',
          entityId: groupId,
          actorId,
          before: { memberIds: before },
          after: { memberIds: await this.memberIds(m, groupId), added, removed },
          sync: [{ kind: 'GROUP_USERS', groupId, userIds: changed }],
        });
      }
      return { added, removed };
    });
  }
}
