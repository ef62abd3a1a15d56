import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * User lifecycle: `active` (false = offboarded: no grants, no tokens, no sessions) and when the
 * user was offboarded. Users are never deleted: the audit log keeps referring to them.
 */
export class UserLifecycle1763800002000 implements MigrationInterface {
  name = 'UserLifecycle1763800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE policy.users ADD COLUMN active boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE policy.users ADD COLUMN deactivated_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE policy.users DROP COLUMN deactivated_at`);
    await q.query(`ALTER TABLE policy.users DROP COLUMN active`);
  }
}
