import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The policy model: users, groups, memberships, resources, assignments, approver groups,
 * notification settings, the append-only audit log, grant sync jobs and the grant-state projection.
 */
export class PolicyModel1763800001000 implements MigrationInterface {
  name = 'PolicyModel1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE policy.users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      name text NOT NULL,
      roles text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON policy.users (lower(email))`);
    await q.query(`CREATE INDEX users_roles_idx ON policy.users USING gin (roles)`);
    await q.query(`CREATE TABLE policy.groups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE policy.memberships (
      group_id uuid NOT NULL REFERENCES policy.groups (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES policy.users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, user_id)
    )`);
    await q.query(`CREATE INDEX memberships_user_idx ON policy.memberships (user_id)`);
    await q.query(`CREATE TABLE policy.resources (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      address text NOT NULL,
      policy jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE policy.assignments (
      resource_id uuid NOT NULL REFERENCES policy.resources (id) ON DELETE CASCADE,
      group_id uuid NOT NULL REFERENCES policy.groups (id) ON DELETE CASCADE,
      override jsonb NOT NULL DEFAULT '{}',
      expires_at timestamptz,
      expiry_synced boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (resource_id, group_id)
    )`);
    await q.query(`CREATE INDEX assignments_group_idx ON policy.assignments (group_id)`);
    await q.query(
      `CREATE INDEX assignments_expiry_idx ON policy.assignments (expires_at) WHERE NOT expiry_synced AND expires_at IS NOT NULL`,
    );
    await q.query(`CREATE TABLE policy.approver_groups (
      resource_id uuid NOT NULL REFERENCES policy.resources (id) ON DELETE CASCADE,
      group_id uuid NOT NULL REFERENCES policy.groups (id) ON DELETE CASCADE,
      PRIMARY KEY (resource_id, group_id)
    )`);
    await q.query(`CREATE TABLE policy.notification_settings (
      id smallint PRIMARY KEY CHECK (id = 1),
      email_enabled boolean NOT NULL DEFAULT true,
      email_roles text[] NOT NULL DEFAULT '{ADMIN}',
      opted_out_user_ids uuid[] NOT NULL DEFAULT '{}',
      webhook_url text,
      webhook_secret text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`INSERT INTO policy.notification_settings (id) VALUES (1)`);
    await q.query(`CREATE TABLE policy.audit_log (
      id bigserial PRIMARY KEY,
      category text NOT NULL,
      action text NOT NULL,
      actor_id text,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      resource_id uuid,
      user_id uuid,
      before jsonb,
      after jsonb,
      dedup_key text UNIQUE,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX audit_log_category_at_idx ON policy.audit_log (category, at)`);
    await q.query(`CREATE INDEX audit_log_resource_at_idx ON policy.audit_log (resource_id, at)`);
    await q.query(`CREATE FUNCTION policy.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON policy.audit_log
      FOR EACH ROW EXECUTE FUNCTION policy.audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON policy.audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION policy.audit_log_append_only()`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON policy.audit_log FROM PUBLIC`);
    await q.query(`CREATE TABLE policy.grant_sync_jobs (
      id bigserial PRIMARY KEY,
      kind text NOT NULL,
      resource_id uuid,
      group_ids uuid[] NOT NULL DEFAULT '{}',
      user_ids uuid[],
      cursor jsonb,
      done boolean NOT NULL DEFAULT false,
      attempts int NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_error text,
      pairs_done bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      done_at timestamptz
    )`);
    await q.query(
      `CREATE INDEX grant_sync_jobs_pending_idx ON policy.grant_sync_jobs (id) WHERE NOT done`,
    );
    await q.query(`CREATE TABLE policy.grant_status (
      user_id uuid NOT NULL,
      resource_id uuid NOT NULL,
      state text,
      last_access_at timestamptz,
      locked_at timestamptz,
      active_until timestamptz,
      version bigint NOT NULL DEFAULT -1,
      last_admin_unlock_at timestamptz,
      last_admin_unlock_by text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, resource_id)
    )`);
    await q.query(`CREATE INDEX grant_status_resource_idx ON policy.grant_status (resource_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE policy.grant_status`);
    await q.query(`DROP TABLE policy.grant_sync_jobs`);
    await q.query(`DROP TABLE policy.audit_log`);
    await q.query(`DROP FUNCTION policy.audit_log_append_only()`);
    await q.query(`DROP TABLE policy.notification_settings`);
    await q.query(`DROP TABLE policy.approver_groups`);
    await q.query(`DROP TABLE policy.assignments`);
    await q.query(`DROP TABLE policy.resources`);
    await q.query(`DROP TABLE policy.memberships`);
    await q.query(`DROP TABLE policy.groups`);
    await q.query(`DROP TABLE policy.users`);
  }
}
