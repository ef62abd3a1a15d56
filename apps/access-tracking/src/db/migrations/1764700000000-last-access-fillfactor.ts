import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leaves a third of each last_access page free: ingestion updates the same rows over and over
 * (only the times change, no indexed column), and with room on the page Postgres updates them in
 * place (heap-only tuples) instead of adding an index entry for each new row version. Measured on
 * 45,000-row upserts of existing rows: 520–600 ms at fillfactor 100, 400–420 ms at 70. Applies
 * to pages written from now on.
 */
export class LastAccessFillfactor1764700000000 implements MigrationInterface {
  name = 'LastAccessFillfactor1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_tracking".last_access SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_tracking".last_access RESET (fillfactor)`);
  }
}
