import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Last access per grant (monotonic) and the grant-state projection decisions are served from. */
export class LastAccessAndProjection1763800100000 implements MigrationInterface {
  name = 'LastAccessAndProjection1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "access_tracking".last_access (
      user_id text NOT NULL,
      resource_id text NOT NULL,
      last_access_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, resource_id)
    )`);
    await q.query(`CREATE TABLE "access_tracking".grant_projection (
      user_id text NOT NULL,
      resource_id text NOT NULL,
      state text NOT NULL,
      last_access_at timestamptz,
      locked_at timestamptz,
      active_until timestamptz,
      version bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, resource_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "access_tracking".grant_projection`);
    await q.query(`DROP TABLE "access_tracking".last_access`);
  }
}
