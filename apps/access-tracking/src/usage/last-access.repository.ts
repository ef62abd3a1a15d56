import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { grantKey, type GrantRef } from '@lapse/contracts';
import { SCHEMA } from '../db/data-source';

export interface LastAccessRow {
  userId: string;
  resourceId: string;
  /** Epoch ms. */
  at: number;
}

/** Last access per grant. Writes are monotonic: a time never replaces a later one. */
@Injectable()
export class LastAccessRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * One statement for a whole batch (coalesce first; a grant given twice keeps its latest time).
   * Idempotent, so a redelivered batch changes nothing; rows are sorted so concurrent writers
   * lock in one order.
   */
  async recordLatest(rows: readonly LastAccessRow[]): Promise<void> {
    if (rows.length === 0) return;
    const sorted = latestPerGrant(rows);
    await this.ds.query(
      `INSERT INTO "${SCHEMA}".last_access AS la (user_id, resource_id, last_access_at)
       SELECT u, r, to_timestamp(t / 1000.0) FROM unnest($1::text[], $2::text[], $3::float8[]) AS x(u, r, t)
       ON CONFLICT (user_id, resource_id) DO UPDATE
         SET last_access_at = EXCLUDED.last_access_at, updated_at = now()
         WHERE la.last_access_at < EXCLUDED.last_access_at`,
      [sorted.map((r) => r.userId), sorted.map((r) => r.resourceId), sorted.map((r) => r.at)],
    );
  }

  /** The latest recorded access (ISO), or null when none was recorded. */
  async latestAccess(userId: string, resourceId: string): Promise<string | null> {
    const rows: { last_access_at: Date }[] = await this.ds.query(
      `SELECT last_access_at FROM "${SCHEMA}".last_access WHERE user_id = $1 AND resource_id = $2`,
      [userId, resourceId],
    );
    return rows.length === 0 ? null : rows[0].last_access_at.toISOString();
  }

  /**
   * The latest recorded access (epoch ms) of each of `grants` that has one, keyed by grant key:
   * one statement for the whole batch (the lock-due sweep's check).
   */
  async latestAccessOf(grants: readonly GrantRef[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (grants.length === 0) return out;
    const rows: { user_id: string; resource_id: string; at: number }[] = await this.ds.query(
      `SELECT la.user_id, la.resource_id, extract(epoch FROM la.last_access_at) * 1000 AS at
       FROM unnest($1::text[], $2::text[]) AS x(u, r)
       JOIN "${SCHEMA}".last_access la ON la.user_id = x.u AND la.resource_id = x.r`,
      [grants.map((g) => g.userId), grants.map((g) => g.resourceId)],
    );
    for (const r of rows)
      out.set(grantKey({ userId: r.user_id, resourceId: r.resource_id }), Math.round(Number(r.at)));
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rows sorted by grant, one per grant (the latest time): one statement may not update a row
 * twice. The same grant may come twice when its use was coalesced by key before the projection
 * knew it, then by row.
 */
export function latestPerGrant(rows: readonly LastAccessRow[]): LastAccessRow[] {
  const sorted = [...rows].sort((a, b) =>
    a.userId === b.userId ? cmp(a.resourceId, b.resourceId) : cmp(a.userId, b.userId),
  );
  const out: LastAccessRow[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.userId === r.userId && last.resourceId === r.resourceId) {
      if (r.at > last.at) out[out.length - 1] = r;
    } else out.push(r);
  }
  return out;
}
