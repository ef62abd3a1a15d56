import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access requests as this service last recorded them (from the grant workflow's `recordRequest`
 * activity and from the answers of its updates). `resolved_at` orders the resolved list.
 */
export class AccessRequests1763800003000 implements MigrationInterface {
  name = 'AccessRequests1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE requests.access_requests (
      id text PRIMARY KEY,
      type text NOT NULL CHECK (type IN ('AutoLock', 'JIT')),
      user_id text NOT NULL,
      resource_id text NOT NULL,
      reason text NOT NULL,
      duration_seconds integer,
      approval_mode text NOT NULL CHECK (approval_mode IN ('MANUAL', 'AUTOMATIC')),
      status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED')),
      requested_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      reviewer_id text,
      reviewed_at timestamptz,
      note text,
      resolved_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE INDEX access_requests_open_idx ON requests.access_requests (requested_at DESC) WHERE status = 'PENDING'`,
    );
    await q.query(
      `CREATE INDEX access_requests_resolved_idx ON requests.access_requests (resolved_at DESC) WHERE status <> 'PENDING'`,
    );
    await q.query(
      `CREATE INDEX access_requests_user_idx ON requests.access_requests (user_id, requested_at DESC)`,
    );
    await q.query(
      `CREATE INDEX access_requests_resource_idx ON requests.access_requests (resource_id, requested_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE requests.access_requests`);
  }
}
