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

/**
 * Last access of grants given by key: `keys` holds each grant's two UUIDs as 16 bytes each (the
 * projection's compact key), `ats[i]` the time (epoch ms) of the grant at `keys[32i…32i+31]`.
 */
export interface CompactLastAccess {
  keys: Buffer;
  ats: number[];
}

const NO_COMPACT_ROWS: CompactLastAccess = { keys: Buffer.alloc(0), ats: [] };

/** Last access per grant. Writes are monotonic: a time never replaces a later one. */
@Injectable()
export class LastAccessRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * One statement for a whole batch (coalesce first; a grant given twice keeps its latest time).
   * Idempotent, so a redelivered batch changes nothing. Postgres sorts the rows by grant (byte
   * order), so concurrent writers lock in one order, and keeps one per grant (a statement may not
   * update a row twice). Grants come two ways: `byKey`, the two UUIDs of each grant as 32 bytes
   * (ingestion's usual events: one bytea and one array of times, nothing per row for the driver
   * to quote, and Postgres spells the UUIDs in lower case), and `rows`, ids as text (one JSON
   * parameter, which costs the service less than three arrays).
   */
  async recordLatest(
    rows: readonly LastAccessRow[],
    byKey: CompactLastAccess = NO_COMPACT_ROWS,
  ): Promise<void> {
    if (rows.length === 0 && byKey.ats.length === 0) return;
    if (byKey.keys.length !== byKey.ats.length * 32)
      throw new Error(`${byKey.keys.length} key bytes for ${byKey.ats.length} times`);
    await this.ds.query(
      `INSERT INTO "${SCHEMA}".last_access AS la (user_id, resource_id, last_access_at)
       SELECT DISTINCT ON (x.u COLLATE "C", x.r COLLATE "C") x.u, x.r, to_timestamp(x.at / 1000.0)
       FROM (
         SELECT encode(substring($1::bytea FROM k.i::int * 32 - 31 FOR 16), 'hex')::uuid::text AS u,
                encode(substring($1::bytea FROM k.i::int * 32 - 15 FOR 16), 'hex')::uuid::text AS r,
                k.at
         FROM unnest($2::float8[]) WITH ORDINALITY AS k(at, i)
         UNION ALL
         SELECT j."userId", j."resourceId", j.at
         FROM json_to_recordset($3::json) AS j("userId" text, "resourceId" text, at float8)
       ) x
       ORDER BY x.u COLLATE "C", x.r COLLATE "C", x.at DESC
       ON CONFLICT (user_id, resource_id) DO UPDATE
         SET last_access_at = EXCLUDED.last_access_at, updated_at = now()
         WHERE la.last_access_at < EXCLUDED.last_access_at`,
      [
        byKey.keys,
        `{${byKey.ats.join(',')}}`,
        JSON.stringify(rows, ['userId', 'resourceId', 'at']),
      ],
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
