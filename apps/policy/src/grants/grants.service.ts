import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  type AccessRequest,
  type EffectivePolicy,
  type GrantRef,
  type GrantState,
  type GrantView,
  type Policy,
  type PolicyOverride,
} from '@lapse/contracts';
import { GrantClient } from '@lapse/grant-client';
import {
  LapseError,
  decodeCursor,
  limitOf,
  pageOf,
  type Page,
  type PageQueryDto,
} from '@lapse/platform';
import { planGrants, type UserAssignment } from '../grant-sync/grant-plan';
import { policySourceOf, type PolicySource } from './policy-source';

export interface UserGrant {
  resourceId: string;
  resourceName: string;
  /** The workflow's state; the projection's when the workflow does not answer; null when not yet synced. */
  state: GrantState | null;
  policy: EffectivePolicy | null;
  policySource: PolicySource | null;
  lastAccessAt: string | null;
  lockedAt: string | null;
  activeUntil: string | null;
  lastAdminUnlockAt: string | null;
}

/** An item of `GET /v1/resources/:id/grants`. */
export interface ResourceGrant {
  userId: string;
  email: string;
  name: string;
  userActive: boolean;
  /** null while the grant is not synced yet. */
  state: GrantState | null;
  lastAccessAt: string | null;
  lockedAt: string | null;
  activeUntil: string | null;
  lastAdminUnlockAt: string | null;
  lastAdminUnlockBy: string | null;
  openRequest: AccessRequest | null;
}

interface StatusRow {
  state: GrantState | null;
  last_access_at: Date | null;
  locked_at: Date | null;
  active_until: Date | null;
  last_admin_unlock_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A user's grants (from policy's own assignments + each workflow's `state`) and admin unlocks. */
@Injectable()
export class GrantsService {
  private readonly log = new Logger('grants');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly grants: GrantClient,
  ) {}

  /** The user's grants, by resource name (then id), paged. */
  async list(userId: string, q: PageQueryDto): Promise<Page<UserGrant>> {
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 2);
    const users: unknown[] = await this.ds.query('SELECT 1 FROM policy.users WHERE id = $1', [
      userId,
    ]);
    if (users.length === 0) throw LapseError.notFound('user', userId);
    const rows: {
      resource_id: string;
      resource_name: string;
      resource_policy: Policy;
      group_id: string;
      override: PolicyOverride;
      expires_at: Date | null;
    }[] = await this.ds.query(
      `SELECT r.id AS resource_id, r.name AS resource_name, r.policy AS resource_policy, a.group_id, a.override, a.expires_at
       FROM policy.memberships m JOIN policy.assignments a ON a.group_id = m.group_id
       JOIN policy.resources r ON r.id = a.resource_id WHERE m.user_id = $1 ORDER BY r.name, r.id`,
      [userId],
    );
    const byResource = new Map<string, typeof rows>();
    for (const r of rows)
      byResource.set(r.resource_id, [...(byResource.get(r.resource_id) ?? []), r]);
    // Ordered here, by code units, so that the cursor comparison below is the same order.
    const key = (r: { resource_name: string; resource_id: string }) =>
      `${r.resource_name}\u0000${r.resource_id}`;
    const afterKey = after ? `${after[0]}\u0000${after[1]}` : null;
    const ordered = [...byResource.values()]
      .sort(([a], [b]) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
      .filter(([r]) => afterKey === null || key(r) > afterKey);
    const page = pageOf(
      ordered,
      limit,
      ([r]) => [r.resource_name, r.resource_id],
      (list) => list,
    );
    const items = await Promise.all(
      page.items.map(async (list) => {
        const {
          resource_id: resourceId,
          resource_name: resourceName,
          resource_policy: resourcePolicy,
        } = list[0];
        const assignments: UserAssignment[] = list.map((r) => ({
          userId,
          groupId: r.group_id,
          override: r.override,
          expiresAt: iso(r.expires_at),
        }));
        const [plan] = planGrants([userId], resourcePolicy, assignments, Date.now());
        const policy = plan.action === 'APPLY' ? plan.policy : null;
        const grant = { userId, resourceId };
        const [view, status] = await Promise.all([this.queryState(grant), this.status(grant)]);
        return {
          resourceId,
          resourceName,
          state: view?.state ?? status?.state ?? (plan.action === 'REVOKE' ? plan.outcome : null),
          policy,
          policySource: policy ? policySourceOf(policy, assignments) : null,
          lastAccessAt: view ? view.lastAccessAt : iso(status?.last_access_at ?? null),
          lockedAt: view ? view.lockedAt : iso(status?.locked_at ?? null),
          activeUntil: view ? view.activeUntil : iso(status?.active_until ?? null),
          lastAdminUnlockAt: view?.lastAdminUnlockAt ?? iso(status?.last_admin_unlock_at ?? null),
        };
      }),
    );
    return { items, nextCursor: page.nextCursor };
  }

  /**
   * Each user's grant to a resource (the resource page): everyone its assignments give a grant,
   * and anyone the projection still knows (a grant ending), in user id order. State, last access
   * and last admin unlock come from the projection (grants.state.v1); a PENDING grant's open
   * request, and the state of a grant the projection has not seen yet, from the workflow.
   */
  async forResource(resourceId: string, q: PageQueryDto): Promise<Page<ResourceGrant>> {
    const exists: unknown[] = await this.ds.query(`SELECT 1 FROM policy.resources WHERE id = $1`, [
      resourceId,
    ]);
    if (exists.length === 0) throw LapseError.notFound('resource', resourceId);
    const limit = limitOf(q);
    const after = decodeCursor(q.cursor, 1)?.[0] ?? '00000000-0000-0000-0000-000000000000';
    const rows: (StatusRow & {
      user_id: string;
      email: string;
      name: string;
      active: boolean;
      last_admin_unlock_by: string | null;
    })[] = await this.ds.query(
      `WITH holders AS (
         SELECT m.user_id FROM policy.assignments a JOIN policy.memberships m ON m.group_id = a.group_id
         WHERE a.resource_id = $1 AND m.user_id > $2::uuid
         UNION SELECT user_id FROM policy.grant_status WHERE resource_id = $1 AND user_id > $2::uuid)
       SELECT h.user_id, u.email, u.name, u.active, s.state, s.last_access_at, s.locked_at, s.active_until,
         s.last_admin_unlock_at, s.last_admin_unlock_by
       FROM holders h JOIN policy.users u ON u.id = h.user_id
       LEFT JOIN policy.grant_status s ON s.user_id = h.user_id AND s.resource_id = $1
       ORDER BY h.user_id LIMIT $3`,
      [resourceId, after, limit + 1],
    );
    const page = pageOf(
      rows,
      limit,
      (r) => [r.user_id],
      (r) => r,
    );
    const items = await Promise.all(
      page.items.map(async (r): Promise<ResourceGrant> => {
        const live =
          r.state === null || r.state === 'PENDING'
            ? await this.queryState({ userId: r.user_id, resourceId })
            : null;
        return {
          userId: r.user_id,
          email: r.email,
          name: r.name,
          userActive: r.active,
          state: live?.state ?? r.state,
          lastAccessAt: live ? live.lastAccessAt : iso(r.last_access_at),
          lockedAt: live ? live.lockedAt : iso(r.locked_at),
          activeUntil: live ? live.activeUntil : iso(r.active_until),
          lastAdminUnlockAt: live?.lastAdminUnlockAt ?? iso(r.last_admin_unlock_at),
          lastAdminUnlockBy: live?.lastAdminUnlockBy ?? r.last_admin_unlock_by,
          openRequest: live?.openRequest ?? null,
        };
      }),
    );
    return { items, nextCursor: page.nextCursor };
  }

  private async status({ userId, resourceId }: GrantRef): Promise<StatusRow | null> {
    const rows: StatusRow[] = await this.ds.query(
      `SELECT state, last_access_at, locked_at, active_until, last_admin_unlock_at FROM policy.grant_status WHERE user_id = $1 AND resource_id = $2`,
      [userId, resourceId],
    );
    return rows[0] ?? null;
  }

  /** The workflow's state, or null when there is none or it does not answer in time. */
  async queryState(grant: GrantRef): Promise<GrantView | null> {
    try {
      return await this.grants.state(grant);
    } catch (e) {
      this.log.warn({ err: e, ...grant }, 'grant state query failed');
      return null;
    }
  }

  /**
   * Rule 3: an admin unlock, through the workflow's `adminUnlock` update. The workflow answers
   * only after this service's `recordAdminUnlock` activity has written the audit entry, so an
   * unlock is audited even if this process dies between the update and the response.
   */
  unlock(grant: GrantRef, actorId: string): Promise<GrantView> {
    return this.grants.unlock(grant, { actorId });
  }
}
