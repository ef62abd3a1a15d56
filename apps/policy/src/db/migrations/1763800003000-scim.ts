import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM provisioning: the identity provider's ids (`external_id`) on users and groups, the SCIM
 * `userName` and the profile attributes the identity provider sent (name parts, display name,
 * emails, `active` as it said it), users the identity provider deleted (hidden from SCIM, kept for
 * the audit log), and the SCIM bearer token (only its SHA-256 hash).
 */
export class Scim1763800003000 implements MigrationInterface {
  name = 'Scim1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE policy.users ADD COLUMN external_id text`);
    await q.query(`ALTER TABLE policy.users ADD COLUMN user_name text`);
    await q.query(`ALTER TABLE policy.users ADD COLUMN scim_profile jsonb`);
    await q.query(`ALTER TABLE policy.users ADD COLUMN scim_deleted_at timestamptz`);
    await q.query(
      `CREATE UNIQUE INDEX users_user_name_key ON policy.users (lower(user_name)) WHERE user_name IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX users_scim_user_name_idx ON policy.users (lower(coalesce(user_name, email)))`,
    );
    await q.query(`CREATE INDEX users_external_id_idx ON policy.users (external_id)`);
    await q.query(`ALTER TABLE policy.groups ADD COLUMN external_id text`);
    await q.query(`CREATE INDEX groups_external_id_idx ON policy.groups (external_id)`);
    await q.query(`CREATE INDEX groups_name_idx ON policy.groups (lower(name))`);
    await q.query(`CREATE TABLE policy.scim_token (
      id smallint PRIMARY KEY CHECK (id = 1),
      token_sha256 bytea NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE policy.scim_token`);
    await q.query(`DROP INDEX policy.groups_name_idx`);
    await q.query(`DROP INDEX policy.groups_external_id_idx`);
    await q.query(`ALTER TABLE policy.groups DROP COLUMN external_id`);
    await q.query(`DROP INDEX policy.users_external_id_idx`);
    await q.query(`DROP INDEX policy.users_scim_user_name_idx`);
    await q.query(`DROP INDEX policy.users_user_name_key`);
    await q.query(`ALTER TABLE policy.users DROP COLUMN scim_deleted_at`);
    await q.query(`ALTER TABLE policy.users DROP COLUMN scim_profile`);
    await q.query(`ALTER TABLE policy.users DROP COLUMN user_name`);
    await q.query(`ALTER TABLE policy.users DROP COLUMN external_id`);
  }
}
