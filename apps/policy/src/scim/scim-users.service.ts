import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder';
import { isUuid } from '../common/ids';
import { PG, pgCode } from '../common/pg-errors';
import { SCIM_ACTOR, UsersService } from '../users/users.service';
import { applyPatch, patchShape, type PatchOperation } from './scim-patch';
import { filterToSql, wants, type FilterColumns, type ListParams } from './scim-query';
import {
  parseScimUser,
  renderScimUser,
  type ScimProfile,
  type ScimUserInput,
  type ScimUserRecord,
} from './scim-user';
import { ScimError } from './scim.errors';

interface Row {
  id: string;
  email: string;
  name: string;
  active: boolean;
  external_id: string | null;
  user_name: string | null;
  scim_profile: ScimProfile | null;
  groups: { id: string; name: string }[] | null;
  created_at: Date;
  updated_at: Date;
}

const columns = (
  withGroups: boolean,
) => `u.id, u.email, u.name, u.active, u.external_id, u.user_name,
  u.scim_profile, u.created_at, u.updated_at,
  ${
    withGroups
      ? `(SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY lower(g.name), g.id)
      FROM policy.memberships m JOIN policy.groups g ON g.id = m.group_id WHERE m.user_id = u.id)`
      : 'NULL'
  } AS groups`;

/** Users the identity provider deleted are gone for SCIM (Lapse keeps them, offboarded, for the audit log). */
const VISIBLE = 'u.scim_deleted_at IS NULL';

const FILTERS: FilterColumns = {
  username: (p) => `lower(coalesce(u.user_name, u.email)) = lower(${p})`,
  externalid: (p) => `u.external_id = ${p}`,
  id: (p) => `u.id::text = lower(${p})`,
  'emails.value': (p) => `lower(u.email) = lower(${p})`,
  emails: (p) => `lower(u.email) = lower(${p})`,
  displayname: (p) => `coalesce(u.scim_profile->>'displayName', u.name) = ${p}`,
};

const USER_PATCH = patchShape(
  [
    'userName',
    'externalId',
    'name',
    'name.formatted',
    'name.familyName',
    'name.givenName',
    'name.middleName',
    'name.honorificPrefix',
    'name.honorificSuffix',
    'displayName',
    'emails',
    'emails.value',
    'emails.type',
    'emails.primary',
    'active',
    'groups',
    'id',
    'meta',
    'schemas',
  ],
  ['id', 'meta', 'groups', 'schemas'],
);

const record = (r: Row): ScimUserRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  active: r.active,
  externalId: r.external_id,
  userName: r.user_name,
  profile: r.scim_profile,
  groups: r.groups ?? [],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What the audit log keeps of a SCIM change to a user. */
const snapshot = (r: Row) => ({
  id: r.id,
  email: r.email,
  name: r.name,
  userName: r.user_name,
  externalId: r.external_id,
  active: r.active,
});

/**
 * SCIM Users over Lapse users. Attribute changes are recorded as policy changes (audit log,
 * policy.changes.v1) by the identity provider (`scim`); `active` goes through the users service,
 * so `active: false` offboards exactly as the admin API does (rule 12) and `active: true` brings
 * the user back.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
    private readonly users: UsersService,
  ) {}

  async get(id: string, base: string): Promise<Record<string, unknown>> {
    return renderScimUser(record(await this.row(id)), base);
  }

  async list(
    p: ListParams,
    base: string,
  ): Promise<{ total: number; resources: Record<string, unknown>[] }> {
    const cond = p.filter ? filterToSql(p.filter, FILTERS) : { where: 'TRUE', params: [] };
    const where = `${VISIBLE} AND ${cond.where}`;
    const [{ total }]: { total: number }[] = await this.ds.query(
      `SELECT count(*)::int AS total FROM policy.users u WHERE ${where}`,
      cond.params,
    );
    if (p.count === 0) return { total, resources: [] };
    const n = cond.params.length;
    const rows: Row[] = await this.ds.query(
      `SELECT ${columns(wants(p, 'groups'))} FROM policy.users u WHERE ${where}
       ORDER BY u.created_at, u.id OFFSET $${n + 1} LIMIT $${n + 2}`,
      [...cond.params, p.startIndex - 1, p.count],
    );
    return { total, resources: rows.map((r) => renderScimUser(record(r), base)) };
  }

  /**
   * POST /Users. A user Lapse already knows by that email or userName is a 409 `uniqueness` —
   * unless the identity provider deleted that user earlier: then they come back, as sent.
   */
  async create(body: unknown, base: string): Promise<Record<string, unknown>> {
    const input = parseScimUser(body);
    const hidden: { id: string }[] = await this.ds.query(
      `SELECT u.id FROM policy.users u WHERE u.scim_deleted_at IS NOT NULL
         AND (lower(u.email) = lower($1) OR lower(coalesce(u.user_name, u.email)) = lower($2))
       ORDER BY u.scim_deleted_at DESC LIMIT 1`,
      [input.email, input.userName],
    );
    if (hidden[0]) return this.write(hidden[0].id, input, base, { revive: true });
    const id = await this.insert(input);
    return this.get(id, base);
  }

  /** PUT /Users/:id: every SCIM attribute as sent (left out = cleared; `active` left out = unchanged). */
  async replace(id: string, body: unknown, base: string): Promise<Record<string, unknown>> {
    await this.row(id);
    return this.write(id, parseScimUser(body), base, {});
  }

  /** PATCH /Users/:id: the operations applied to the user as SCIM shows it, then written as a PUT. */
  async patch(id: string, ops: PatchOperation[], base: string): Promise<Record<string, unknown>> {
    const current = renderScimUser(record(await this.row(id)), base);
    const patched = applyPatch(current, ops, USER_PATCH);
    const input = parseScimUser(patched);
    // Removing `active` withdraws the identity provider's "inactive": the user is active again.
    const activeRemoved = 'active' in current && input.profile.active === undefined;
    return this.write(id, input, base, { activeRemoved });
  }

  /** DELETE /Users/:id: offboarded and out of every group (rule 12), then gone for SCIM. */
  async delete(id: string): Promise<void> {
    await this.row(id);
    await this.users.offboard(id, SCIM_ACTOR, { removeMemberships: true });
    await this.ds.query(
      `UPDATE policy.users SET scim_deleted_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  private async row(id: string, m: EntityManager = this.ds.manager, lock = false): Promise<Row> {
    if (!isUuid(id)) throw ScimError.notFound('User', id);
    const rows: Row[] = await m.query(
      `SELECT ${columns(!lock)} FROM policy.users u WHERE u.id = $1 AND ${VISIBLE}${lock ? ' FOR UPDATE' : ''}`,
      [id.toLowerCase()],
    );
    if (!rows[0]) throw ScimError.notFound('User', id);
    return rows[0];
  }

  private async insert(input: ScimUserInput): Promise<string> {
    return this.unique(input, () =>
      this.ds.transaction(async (m) => {
        await this.userNameFree(m, input.userName, null);
        const [row]: Row[] = await m.query(
          `INSERT INTO policy.users AS u (email, name, user_name, external_id, scim_profile, active)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6)
           RETURNING ${columns(false)}`,
          [
            input.email,
            input.lapseName,
            input.userName,
            input.externalId,
            JSON.stringify(input.profile),
            input.profile.active !== false,
          ],
        );
        await this.changes.record(m, {
          kind: 'user.created',
          entityType: 'user',
          entityId: row.id,
          actorId: SCIM_ACTOR.auditId,
          userId: row.id,
          before: null,
          after: { ...snapshot(row), roles: [] },
        });
        return row.id;
      }),
    );
  }

  /**
   * Writes the SCIM attributes (one audited transaction), then applies `active` through the users
   * service: false offboards, true (or a removed `active`, or a revived user) reactivates.
   */
  private async write(
    id: string,
    input: ScimUserInput,
    base: string,
    opts: { revive?: boolean; activeRemoved?: boolean },
  ): Promise<Record<string, unknown>> {
    await this.unique(input, () =>
      this.ds.transaction(async (m) => {
        const lock: Row[] = await m.query(
          `SELECT ${columns(false)} FROM policy.users u
           WHERE u.id = $1 ${opts.revive ? '' : `AND ${VISIBLE}`} FOR UPDATE`,
          [id],
        );
        const before = lock[0];
        if (!before) throw ScimError.notFound('User', id);
        await this.userNameFree(m, input.userName, id);
        const [after]: Row[] = await m.query(
          `UPDATE policy.users u SET email = $2, name = $3, user_name = $4, external_id = $5,
             scim_profile = $6::jsonb, scim_deleted_at = NULL, updated_at = now()
           WHERE id = $1 RETURNING ${columns(false)}`,
          [
            id,
            input.email,
            input.lapseName,
            input.userName,
            input.externalId,
            JSON.stringify(input.profile),
          ],
        );
        const changed =
          JSON.stringify(snapshot(before)) !== JSON.stringify(snapshot(after)) ||
          JSON.stringify(before.scim_profile) !== JSON.stringify(after.scim_profile) ||
          opts.revive;
        if (changed)
          await this.changes.record(m, {
            kind: opts.revive ? 'user.restored' : 'user.updated',
            entityType: 'user',
            entityId: id,
            actorId: SCIM_ACTOR.auditId,
            userId: id,
            before: snapshot(before),
            after: snapshot(after),
          });
      }),
    );
    const wanted = input.profile.active ?? (opts.activeRemoved || opts.revive ? true : undefined);
    if (wanted !== undefined) {
      const { active } = await this.users.get(id);
      if (active !== wanted) await this.users.update(id, { active: wanted }, SCIM_ACTOR);
    }
    return this.get(id, base);
  }

  /** userName is unique (case-insensitive) among users as SCIM shows them (userName, else email). */
  private async userNameFree(m: EntityManager, userName: string, self: string | null) {
    const taken: unknown[] = await m.query(
      `SELECT 1 FROM policy.users u WHERE lower(coalesce(u.user_name, u.email)) = lower($1)
         AND u.id IS DISTINCT FROM $2::uuid LIMIT 1`,
      [userName, self],
    );
    if (taken.length > 0) throw ScimError.uniqueness(`userName ${userName} is taken`);
  }

  /** A unique violation (email, userName) is a SCIM 409 `uniqueness`. */
  private async unique<T>(input: ScimUserInput, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (pgCode(e) === PG.uniqueViolation)
        throw ScimError.uniqueness(
          `a user with userName ${input.userName} or email ${input.email} already exists`,
        );
      throw e;
    }
  }
}
