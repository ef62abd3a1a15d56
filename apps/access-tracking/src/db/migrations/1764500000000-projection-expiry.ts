import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The grant's expiry in the projection, so decisions refuse past it even before EXPIRED arrives. */
export class ProjectionExpiry1764500000000 implements MigrationInterface {
  name = 'ProjectionExpiry1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "access_tracking".grant_projection ADD COLUMN expires_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_tracking".grant_projection DROP COLUMN expires_at`);
  }
}
