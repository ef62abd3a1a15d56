import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@lapse/auth';
import type { Role } from '@lapse/contracts';
import { LapseError, decodeCursor, limitOf, pageOf, type Page } from '@lapse/platform';
import { ChangeRecorder } from '../changes/change-recorder';
import { actorOf } from '../common/actor';
import { PG, pgCode } from '../common/pg-errors';
import { Where, likePattern } from '../common/sql';
import type { SyncJobSpec } from '../grant-sync/sync-jobs.repository';
import { checkNewUserRoles, checkUserChange, type RoleRuleRefusal } from '@lapse/domain';
import type { CreateUserDto, UpdateUserDto, UserQueryDto, UserView } from './users.dto';

interface UserRow {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  active: boolean;
  external_id?: string | null;
  /** lower(email): the sort key of the list. */
  email_key: string;
  group_ids: string[];
  created_at: Date;
}

const SELECT_USER = `SELECT u.id, u.email, lower(u.email) AS email_key, u.name, u.roles, u.active, u.external_id, u.created_at,
  COALESCE((SELECT array_agg(m.group_id ORDER BY m.group_id) FROM policy.memberships m WHERE m.user_id = u.id), '{}') AS group_ids
  FROM policy.users u`;

function view(r: UserRow): UserView {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    roles: r.roles,
    groupIds: r.group_ids,
    active: r.active,
    externalId: r.external_id ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

/** What the audit log keeps of a user. */
const snapshot = (u: UserView) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  roles: u.roles,
  active: u.active,
});

/**
 * Who changes a user: the audit id (a user id, `service:<name>`, `scim`), and the user id and
 * roles the role rules (rule 13) judge by. An identity provider (SCIM) acts as an ADMIN that is
 * nobody: it may offboard anyone but the last active ADMIN.
 */
export interface UserActor {
  auditId: string | null;
  userId: string | null;
  roles: readonly Role[];
}

export function userActorOf(p: Principal): UserActor {
  return p.kind === 'user'
    ? { auditId: p.id, userId: p.id, roles: p.roles }
    : { auditId: actorOf(p), userId: null, roles: [] };
}

/** The identity provider (SCIM) as an actor. */
export const SCIM_ACTOR: UserActor = { auditId: 'scim', userId: null, roles: ['ADMIN'] };

function refuse(r: RoleRuleRefusal): never {
  throw r.kind === 'FORBIDDEN' ? LapseError.forbidden(r.message) : LapseError.conflict(r.message);
}

/**
 * Users and their lifecycle. Offboarding (rule 12: `offboard`, `PATCH active:false`, SCIM
 * `active:false`) marks the user inactive in the same transaction as its audit entry and the
 * grant sync jobs that revoke every grant they hold (the sync plans inactive users as having no
 * assignment); revoking a grant cancels its open request (the workflow records it CANCELLED), and
 * the user's tokens are refused from the next call (the directory knows only active users).
 */
@Injectable()
export class UsersService {
  private readonly log = new Logger('users');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

  async create(dto: CreateUserDto, actor: UserActor): Promise<UserView> {
    const roles = [...new Set(dto.roles ?? [])];
    const refusal = checkNewUserRoles({ id: actor.userId, roles: actor.roles }, roles);
    if (refusal) refuse(refusal);
    try {
      return await this.ds.transaction(async (m) => {
        const [row]: UserRow[] = await m.query(
          `INSERT INTO policy.users (email, name, roles) VALUES ($1, $2, $3::text[])
           RETURNING id, email, lower(email) AS email_key, name, roles, active, created_at, '{}'::uuid[] AS group_ids`,
          [dto.email.trim(), dto.name, roles],
        );
        const user = view(row);
        await this.changes.record(m, {
          kind: 'user.created',
          entityType: 'user',
          entityId: user.id,
          actorId: actor.auditId,
          userId: user.id,
          before: null,
          after: snapshot(user),
        });
        return user;
      });
    } catch (e) {
      if (pgCode(e) === PG.uniqueViolation)
        throw LapseError.conflict(`a user with email ${dto.email} already exists`);
      throw e;
    }
  }

  async get(id: string, m: EntityManager = this.ds.manager): Promise<UserView> {
    const rows: UserRow[] = await m.query(`${SELECT_USER} WHERE u.id = $1`, [id]);
    if (!rows[0]) throw LapseError.notFound('user', id);
    return view(rows[0]);
  }

  async exists(id: string): Promise<void> {
    const rows: unknown[] = await this.ds.query('SELECT 1 FROM policy.users WHERE id = $1', [id]);
    if (rows.length === 0) throw LapseError.notFound('user', id);
  }

  /**
   * `PATCH /v1/users/:id`: name, roles, active — a field left out keeps its value. Rule 13 is
   * checked against the rows locked in this transaction; `active:false` offboards (rule 12),
   * `active:true` brings the user back (their grants start afresh from their groups).
   */
  async update(id: string, dto: UpdateUserDto, actor: UserActor): Promise<UserView> {
    return this.ds.transaction(async (m) => {
      const before = await this.lockForChange(m, id, actor, {
        roles: dto.roles,
        active: dto.active,
        other: dto.name !== undefined,
      });
      const roles = dto.roles ? [...new Set(dto.roles)] : before.roles;
      const active = dto.active ?? before.active;
      await m.query(
        `UPDATE policy.users SET name = $2, roles = $3::text[], active = $4,
           deactivated_at = CASE WHEN $4 THEN NULL WHEN active THEN now() ELSE deactivated_at END,
           updated_at = now() WHERE id = $1`,
        [id, dto.name ?? before.name, roles, active],
      );
      const after = await this.get(id, m);
      const activeChanged = before.active !== after.active;
      const kind = !activeChanged
        ? 'user.updated'
        : after.active
          ? 'user.reactivated'
          : 'user.offboarded';
      if (JSON.stringify(snapshot(before)) !== JSON.stringify(snapshot(after))) {
        await this.changes.record(m, {
          kind,
          entityType: 'user',
          entityId: id,
          actorId: actor.auditId,
          userId: id,
          before: snapshot(before),
          after: snapshot(after),
          sync: activeChanged ? this.grantsOf(id, after.groupIds) : undefined,
        });
      }
      if (activeChanged && !after.active) this.log.log({ userId: id }, `offboarded user ${id}`);
      return after;
    });
  }

  /**
   * Offboards a user (rule 12): inactive at once (tokens and sessions refused from the next
   * call), every grant revoked and every open request cancelled by the grant sync that this
   * transaction queues, audited as `user.offboarded`. With `removeMemberships` (DELETE) the user
   * also leaves every group. Idempotent: offboarding an inactive user changes nothing more.
   * Used by `DELETE /v1/users/:id`, `PATCH {active:false}` and SCIM `active: false`.
   */
  async offboard(
    userId: string,
    actor: UserActor,
    opts: { removeMemberships?: boolean } = {},
  ): Promise<UserView> {
    return this.ds.transaction(async (m) => {
      const before = await this.lockForChange(m, userId, actor, { active: false });
      const groupIds = before.groupIds;
      await m.query(
        `UPDATE policy.users SET active = false, deactivated_at = COALESCE(deactivated_at, now()), updated_at = now()
         WHERE id = $1`,
        [userId],
      );
      if (opts.removeMemberships)
        await m.query(`DELETE FROM policy.memberships WHERE user_id = $1`, [userId]);
      const after = await this.get(userId, m);
      if (before.active || (opts.removeMemberships && groupIds.length > 0)) {
        await this.changes.record(m, {
          kind: 'user.offboarded',
          entityType: 'user',
          entityId: userId,
          actorId: actor.auditId,
          userId,
          before: { ...snapshot(before), groupIds },
          after: { ...snapshot(after), groupIds: after.groupIds },
          sync: this.grantsOf(userId, groupIds),
        });
        this.log.log(
          { userId, groups: groupIds.length, actor: actor.auditId },
          `offboarded user ${userId}`,
        );
      }
      return after;
    });
  }

  /** Every grant the user may hold: one sync per group they are (or were) in. */
  private grantsOf(userId: string, groupIds: string[]): SyncJobSpec[] {
    return groupIds.map((groupId) => ({ kind: 'GROUP_USERS', groupId, userIds: [userId] }));
  }

  /**
   * Locks the user row and the active ADMIN rows (so two concurrent demotions of the last two
   * admins cannot both pass), then applies rule 13. Returns the user as it was.
   */
  private async lockForChange(
    m: EntityManager,
    id: string,
    actor: UserActor,
    change: Parameters<typeof checkUserChange>[2],
  ): Promise<UserView> {
    const admins: { id: string }[] = await m.query(
      `SELECT id FROM policy.users WHERE active AND 'ADMIN' = ANY(roles) ORDER BY id FOR UPDATE`,
    );
    const locked: unknown[] = await m.query(`SELECT 1 FROM policy.users WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (locked.length === 0) throw LapseError.notFound('user', id);
    const before = await this.get(id, m);
    const refusal = checkUserChange(
      { id: actor.userId, roles: actor.roles },
      before,
      change,
      admins.filter((a) => a.id !== id).length,
    );
    if (refusal) refuse(refusal);
    return before;
  }

  /**
   * By email (0 or 1, case-insensitive), by externalId (exact), by role (active users only), by
   * a search in name and email (`q`), or all; paged in email order (lower(email), id).
   */
  async find(q: UserQueryDto): Promise<Page<UserView>> {
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 2);
    const w = new Where();
    if (q.email) w.add('lower(u.email) = lower(?)', q.email.trim());
    if (q.role) w.add('? = ANY(u.roles) AND u.active', q.role);
    if (q.externalId) w.add('u.external_id = ?', q.externalId);
    if (q.q) w.add(`(u.name ILIKE ? OR u.email ILIKE ?)`, ...Array(2).fill(likePattern(q.q)));
    if (after) w.add('(lower(u.email), u.id) > (?, ?::uuid)', after[0], after[1]);
    const rows: UserRow[] = await this.ds.query(
      `${SELECT_USER} ${w.sql} ORDER BY lower(u.email), u.id LIMIT ${w.param(limit + 1)}`,
      w.params,
    );
    return pageOf(rows, limit, (r) => [r.email_key, r.id], view);
  }
}
