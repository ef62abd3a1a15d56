import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder';
import { isUuid } from '../common/ids';
import { GroupsService } from '../groups/groups.service';
import { SCIM_ACTOR } from '../users/users.service';
import { memberIdsOf, parseScimGroup, renderScimGroup, type ScimGroupRecord } from './scim-group';
import { applyPatch, patchShape, type PatchOperation } from './scim-patch';
import { filterToSql, wants, type FilterColumns, type ListParams } from './scim-query';
import { ScimError } from './scim.errors';

interface Row {
  id: string;
  name: string;
  external_id: string | null;
  member_ids: string[] | null;
  created_at: Date;
  updated_at: Date;
}

const columns = (withMembers: boolean) => `g.id, g.name, g.external_id, g.created_at, g.updated_at,
  ${
    withMembers
      ? `COALESCE((SELECT array_agg(m.user_id ORDER BY m.created_at, m.user_id) FROM policy.memberships m WHERE m.group_id = g.id), '{}')`
      : 'NULL'
  } AS member_ids`;

const FILTERS: FilterColumns = {
  displayname: (p) => `lower(g.name) = lower(${p})`,
  externalid: (p) => `g.external_id = ${p}`,
  id: (p) => `g.id::text = lower(${p})`,
  members: (p) =>
    `EXISTS (SELECT 1 FROM policy.memberships m WHERE m.group_id = g.id AND m.user_id::text = lower(${p}))`,
  'members.value': (p) =>
    `EXISTS (SELECT 1 FROM policy.memberships m WHERE m.group_id = g.id AND m.user_id::text = lower(${p}))`,
};

const GROUP_PATCH = patchShape(
  [
    'displayName',
    'externalId',
    'members',
    'members.value',
    'members.$ref',
    'members.type',
    'id',
    'meta',
    'schemas',
  ],
  ['id', 'meta', 'schemas'],
);

const ACTOR = SCIM_ACTOR.auditId;

const record = (r: Row): ScimGroupRecord => ({
  id: r.id,
  name: r.name,
  externalId: r.external_id,
  memberIds: r.member_ids ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * SCIM Groups over Lapse groups, through the groups service: membership changes are policy
 * changes (audited, and the members' grants follow: a member added gets the group's grants, a
 * member removed loses what only this group gave — rule 7).
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
    private readonly groups: GroupsService,
  ) {}

  async get(
    id: string,
    base: string,
    p: Pick<ListParams, 'attributes' | 'excludedAttributes'> = {},
  ): Promise<Record<string, unknown>> {
    return renderScimGroup(record(await this.row(id, wants(p, 'members'))), base);
  }

  async list(
    p: ListParams,
    base: string,
  ): Promise<{ total: number; resources: Record<string, unknown>[] }> {
    const cond = p.filter ? filterToSql(p.filter, FILTERS) : { where: 'TRUE', params: [] };
    const [{ total }]: { total: number }[] = await this.ds.query(
      `SELECT count(*)::int AS total FROM policy.groups g WHERE ${cond.where}`,
      cond.params,
    );
    if (p.count === 0) return { total, resources: [] };
    const n = cond.params.length;
    const rows: Row[] = await this.ds.query(
      `SELECT ${columns(wants(p, 'members'))} FROM policy.groups g WHERE ${cond.where}
       ORDER BY g.created_at, g.id OFFSET $${n + 1} LIMIT $${n + 2}`,
      [...cond.params, p.startIndex - 1, p.count],
    );
    return { total, resources: rows.map((r) => renderScimGroup(record(r), base)) };
  }

  /** POST /Groups: the group, its externalId and its members in one transaction. */
  async create(body: unknown, base: string): Promise<Record<string, unknown>> {
    const input = parseScimGroup(body);
    const id = await this.ds.transaction(async (m) => {
      await this.requireVisibleUsers(m, input.memberIds);
      const group = await this.groups.create(input.displayName, ACTOR, m);
      await this.setExternalId(m, group.id, null, input.externalId);
      if (input.memberIds.length > 0)
        await this.groups.changeMembers(group.id, { add: input.memberIds, remove: [] }, ACTOR, m);
      return group.id;
    });
    return this.get(id, base);
  }

  /** PUT /Groups/:id: name, externalId and members as sent (members left out = none). */
  async replace(id: string, body: unknown, base: string): Promise<Record<string, unknown>> {
    const current = await this.row(id, false);
    const input = parseScimGroup(body);
    await this.requireVisibleUsers(this.ds.manager, input.memberIds);
    if (input.displayName !== current.name) await this.groups.rename(id, input.displayName, ACTOR);
    await this.ds.transaction((m) =>
      this.setExternalId(m, id, current.external_id, input.externalId),
    );
    await this.groups.replaceMembers(id, input.memberIds, ACTOR);
    return this.get(id, base);
  }

  /**
   * PATCH /Groups/:id. Member operations become additions and removals against the members as
   * read (so two identity-provider requests adding different members at once both land).
   */
  async patch(
    id: string,
    ops: PatchOperation[],
    base: string,
    p: Pick<ListParams, 'attributes' | 'excludedAttributes'> = {},
  ): Promise<Record<string, unknown>> {
    const current = renderScimGroup(record(await this.row(id, true)), base);
    const patched = applyPatch(current, ops, GROUP_PATCH);
    const input = parseScimGroup(patched);
    const before = memberIdsOf(current.members);
    const add = input.memberIds.filter((u) => !before.includes(u));
    const remove = before.filter((u) => !input.memberIds.includes(u));
    await this.requireVisibleUsers(this.ds.manager, add);
    if (input.displayName !== current.displayName)
      await this.groups.rename(id, input.displayName, ACTOR);
    if (input.externalId !== (current.externalId ?? null))
      await this.ds.transaction((m) =>
        this.setExternalId(m, id, (current.externalId as string) ?? null, input.externalId),
      );
    if (add.length > 0 || remove.length > 0)
      await this.groups.changeMembers(id, { add, remove }, ACTOR);
    return this.get(id, base, p);
  }

  /** DELETE /Groups/:id: the group goes, with its assignments and the grants only they gave. */
  async delete(id: string): Promise<void> {
    await this.row(id, false);
    await this.groups.remove(id, ACTOR);
  }

  private async row(id: string, withMembers: boolean): Promise<Row> {
    if (!isUuid(id)) throw ScimError.notFound('Group', id);
    const rows: Row[] = await this.ds.query(
      `SELECT ${columns(withMembers)} FROM policy.groups g WHERE g.id = $1`,
      [id.toLowerCase()],
    );
    if (!rows[0]) throw ScimError.notFound('Group', id);
    return rows[0];
  }

  private async setExternalId(
    m: EntityManager,
    id: string,
    before: string | null,
    after: string | null,
  ): Promise<void> {
    if (before === after) return;
    await m.query(`UPDATE policy.groups SET external_id = $2, updated_at = now() WHERE id = $1`, [
      id,
      after,
    ]);
    await this.changes.record(m, {
      kind: 'group.external-id.changed',
      entityType: 'group',
      entityId: id,
      actorId: ACTOR,
      before: { externalId: before },
      after: { externalId: after },
    });
  }

  /** Members must be users SCIM shows (not ones the identity provider deleted). */
  private async requireVisibleUsers(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const missing: { id: string }[] = await m.query(
      `SELECT x AS id FROM unnest($1::uuid[]) AS x WHERE NOT EXISTS (
         SELECT 1 FROM policy.users u WHERE u.id = x AND u.scim_deleted_at IS NULL) LIMIT 1`,
      [ids],
    );
    if (missing[0]) throw ScimError.invalidValue('members', `user ${missing[0].id} not found`);
  }
}
