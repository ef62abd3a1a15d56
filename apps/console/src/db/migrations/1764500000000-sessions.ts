import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (one per sign-in; `ended_at` set by sign-out, or when the user is offboarded,
 * deactivated or their roles change) and sign-ins in progress (the OpenID Connect `state`, PKCE
 * verifier and nonce between the redirect to the provider and its callback).
 */
export class Sessions1764500000000 implements MigrationInterface {
  name = 'Sessions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE console.sessions (
      id uuid PRIMARY KEY,
      user_id text NOT NULL,
      email text NOT NULL,
      roles text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      end_reason text CHECK (end_reason IN ('SIGNED_OUT', 'USER_GONE', 'USER_INACTIVE', 'ROLES_CHANGED'))
    )`);
    await q.query(
      `CREATE INDEX sessions_user_idx ON console.sessions (user_id) WHERE ended_at IS NULL`,
    );
    await q.query(`CREATE TABLE console.sign_ins (
      state text PRIMARY KEY,
      code_verifier text NOT NULL,
      nonce text NOT NULL,
      return_to text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console.sign_ins`);
    await q.query(`DROP TABLE console.sessions`);
  }
}
