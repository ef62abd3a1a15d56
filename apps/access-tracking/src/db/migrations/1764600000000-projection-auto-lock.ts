import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The grant's auto-lock deadline and duration in the projection, so the lock-due sweep enforces
 * rule 1 from the first sweep after a restart (before any new record arrives).
 */
export class ProjectionAutoLock1764600000000 implements MigrationInterface {
  name = 'ProjectionAutoLock1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "access_tracking".grant_projection ADD COLUMN auto_lock_at timestamptz, ADD COLUMN auto_lock_duration_seconds integer`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "access_tracking".grant_projection DROP COLUMN auto_lock_duration_seconds, DROP COLUMN auto_lock_at`,
    );
  }
}
