import type { DataSource, EntityManager } from 'typeorm';
import { returning } from '../common/sql';
import { announceSyncJobs } from './sync-wakeup';

/**
 * What a change affects, as a set of (user, resource) pairs the sync worker recomputes:
 * - RESOURCE_GROUPS: every member of `groupIds` × `resourceId` (resource default, assignment, expiry);
 * - GROUP_USERS: `userIds` × every resource assigned to `groupId` (membership changes);
 * - RESOURCE_USERS: `userIds` × `resourceId`, named explicitly because the rows that linked them
 *   are gone (a group or a resource deleted: its members' grants are recomputed or revoked).
 */
export type SyncJobSpec =
  | { kind: 'RESOURCE_GROUPS'; resourceId: string; groupIds: string[] }
  | { kind: 'GROUP_USERS'; groupId: string; userIds: string[] }
  | { kind: 'RESOURCE_USERS'; resourceId: string; userIds: string[] };

export interface SyncJob {
  id: string;
  kind: SyncJobSpec['kind'];
  resourceId: string | null;
  groupIds: string[];
  userIds: string[] | null;
  /** The last user id fully processed (keyset cursor), null at the start. */
  cursor: string | null;
  attempts: number;
  pairsDone: number;
}

export async function insertSyncJobs(m: EntityManager, specs: SyncJobSpec[]): Promise<void> {
  let queued = 0;
  for (const s of specs) {
    if (s.kind === 'RESOURCE_GROUPS') {
      if (s.groupIds.length === 0) continue;
      await m.query(
        `INSERT INTO policy.grant_sync_jobs (kind, resource_id, group_ids) VALUES ($1, $2, $3::uuid[])`,
        [s.kind, s.resourceId, s.groupIds],
      );
      queued++;
    } else if (s.kind === 'RESOURCE_USERS') {
      if (s.userIds.length === 0) continue;
      await m.query(
        `INSERT INTO policy.grant_sync_jobs (kind, resource_id, user_ids) VALUES ($1, $2, $3::uuid[])`,
        [s.kind, s.resourceId, s.userIds],
      );
      queued++;
    } else {
      if (s.userIds.length === 0) continue;
      await m.query(
        `INSERT INTO policy.grant_sync_jobs (kind, group_ids, user_ids) VALUES ($1, $2::uuid[], $3::uuid[])`,
        [s.kind, [s.groupId], s.userIds],
      );
      queued++;
    }
  }
  if (queued > 0) await announceSyncJobs(m);
}

interface JobRow {
  id: string;
  kind: SyncJobSpec['kind'];
  resource_id: string | null;
  group_ids: string[];
  user_ids: string[] | null;
  cursor: string | null;
  attempts: number;
  pairs_done: string;
}

/** Sync jobs: claimed with a lease (SKIP LOCKED), so a crashed worker's job is taken up again. */
export class SyncJobsRepository {
  constructor(private readonly ds: DataSource) {}

  /** The oldest job that is not done and not leased; leases it for `leaseMs`. */
  async claim(leaseMs: number): Promise<SyncJob | null> {
    const rows = await returning<JobRow>(
      this.ds,
      `UPDATE policy.grant_sync_jobs SET attempts = attempts + 1, locked_until = now() + ($1 || ' milliseconds')::interval
       WHERE id = (
         SELECT id FROM policy.grant_sync_jobs
         WHERE NOT done AND (locked_until IS NULL OR locked_until < now())
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, resource_id, group_ids, user_ids, cursor #>> '{}' AS cursor, attempts, pairs_done`,
      [String(leaseMs)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: String(r.id),
      kind: r.kind,
      resourceId: r.resource_id,
      groupIds: r.group_ids,
      userIds: r.user_ids,
      cursor: r.cursor,
      attempts: r.attempts,
      pairsDone: Number(r.pairs_done),
    };
  }

  /** Saves progress and extends the lease. */
  async progress(id: string, cursor: string, pairsDone: number, leaseMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE policy.grant_sync_jobs SET cursor = to_jsonb($2::text), pairs_done = $3,
         locked_until = now() + ($4 || ' milliseconds')::interval WHERE id = $1`,
      [id, cursor, pairsDone, String(leaseMs)],
    );
  }

  async complete(id: string, pairsDone: number): Promise<void> {
    await this.ds.query(
      `UPDATE policy.grant_sync_jobs SET done = true, done_at = now(), locked_until = NULL, pairs_done = $2, last_error = NULL WHERE id = $1`,
      [id, pairsDone],
    );
  }

  /** Releases the job for a retry after `backoffMs`. */
  async fail(id: string, error: string, backoffMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE policy.grant_sync_jobs SET last_error = $2, locked_until = now() + ($3 || ' milliseconds')::interval WHERE id = $1`,
      [id, error.slice(0, 2000), String(backoffMs)],
    );
  }

  async pendingCount(): Promise<number> {
    const rows: { n: string }[] = await this.ds.query(
      `SELECT count(*) AS n FROM policy.grant_sync_jobs WHERE NOT done`,
    );
    return Number(rows[0].n);
  }
}
