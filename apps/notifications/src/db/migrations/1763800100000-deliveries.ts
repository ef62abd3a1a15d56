import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Deliveries1763800100000 implements MigrationInterface {
  name = 'Deliveries1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE notifications.deliveries (
      id text PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('EMAIL', 'WEBHOOK')),
      request_id text NOT NULL,
      event text NOT NULL,
      recipient text NOT NULL,
      user_id text,
      template text,
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
      attempt_count int NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    )`);
    await q.query(`CREATE INDEX deliveries_request_idx ON notifications.deliveries (request_id)`);
    await q.query(
      `CREATE INDEX deliveries_created_idx ON notifications.deliveries (created_at DESC, id)`,
    );
    await q.query(`CREATE TABLE notifications.delivery_attempts (
      id bigserial PRIMARY KEY,
      delivery_id text NOT NULL REFERENCES notifications.deliveries (id) ON DELETE CASCADE,
      attempt int NOT NULL,
      at timestamptz NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('DELIVERED', 'RETRY', 'FAILED')),
      status_code int,
      error text,
      duration_ms int NOT NULL
    )`);
    await q.query(
      `CREATE INDEX delivery_attempts_delivery_idx ON notifications.delivery_attempts (delivery_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications.delivery_attempts`);
    await q.query(`DROP TABLE notifications.deliveries`);
  }
}
