import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { GrantState } from '@lapse/contracts';
import { SCHEMA } from '../db/data-source';
import type { ProjectedGrant } from './grant-projection';

interface Row {
  user_id: string;
  resource_id: string;
  state: GrantState;
  locked_at: Date | null;
  active_until: Date | null;
  expires_at: Date | null;
  auto_lock_at: Date | null;
  auto_lock_duration_seconds: number | null;
  version: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The grant-state projection in Postgres: what decisions warm from on start. */
@Injectable()
export class GrantStateRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Upserts a batch (one record per grant); a lower version never replaces a higher one. */
  async upsert(grants: readonly ProjectedGrant[]): Promise<void> {
    if (grants.length === 0) return;
    await this.ds.query(
      `INSERT INTO "${SCHEMA}".grant_projection AS g (user_id, resource_id, state, locked_at, active_until, expires_at, auto_lock_at, auto_lock_duration_seconds, version)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::int[], $9::bigint[])
       ON CONFLICT (user_id, resource_id) DO UPDATE
         SET state = EXCLUDED.state, locked_at = EXCLUDED.locked_at, active_until = EXCLUDED.active_until,
             expires_at = EXCLUDED.expires_at, auto_lock_at = EXCLUDED.auto_lock_at,
             auto_lock_duration_seconds = EXCLUDED.auto_lock_duration_seconds,
             version = EXCLUDED.version, updated_at = now()
         WHERE g.version <= EXCLUDED.version`,
      [
        grants.map((g) => g.userId),
        grants.map((g) => g.resourceId),
        grants.map((g) => g.state),
        grants.map((g) => iso(g.lockedAt)),
        grants.map((g) => iso(g.activeUntil)),
        grants.map((g) => iso(g.expiresAt)),
        grants.map((g) => iso(g.autoLockAt)),
        grants.map((g) => g.autoLockDurationSeconds),
        grants.map((g) => g.version),
      ],
    );
  }

  async loadAll(): Promise<ProjectedGrant[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT user_id, resource_id, state, locked_at, active_until, expires_at, auto_lock_at, auto_lock_duration_seconds, version FROM "${SCHEMA}".grant_projection`,
    );
    return rows.map((r) => ({
      userId: r.user_id,
      resourceId: r.resource_id,
      state: r.state,
      lockedAt: r.locked_at ? r.locked_at.getTime() : null,
      activeUntil: r.active_until ? r.active_until.getTime() : null,
      expiresAt: r.expires_at ? r.expires_at.getTime() : null,
      autoLockAt: r.auto_lock_at ? r.auto_lock_at.getTime() : null,
      autoLockDurationSeconds: r.auto_lock_duration_seconds,
      lockDueAt: null,
      version: Number(r.version),
    }));
  }
}
