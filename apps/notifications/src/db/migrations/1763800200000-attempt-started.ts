import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every attempt is logged before it sends: a row is written as STARTED (no duration yet) and
 * completed afterwards, so an attempt cut off by a crash between its send and its completion
 * still shows in the log (as STARTED, outcome unknown).
 */
export class AttemptStarted1763800200000 implements MigrationInterface {
  name = 'AttemptStarted1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE notifications.delivery_attempts DROP CONSTRAINT delivery_attempts_outcome_check`,
    );
    await q.query(
      `ALTER TABLE notifications.delivery_attempts ADD CONSTRAINT delivery_attempts_outcome_check CHECK (outcome IN ('STARTED', 'DELIVERED', 'RETRY', 'FAILED'))`,
    );
    await q.query(
      `ALTER TABLE notifications.delivery_attempts ALTER COLUMN duration_ms DROP NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // The old schema cannot say "started, outcome unknown": those rows go.
    await q.query(
      `DELETE FROM notifications.delivery_attempts WHERE outcome = 'STARTED' OR duration_ms IS NULL`,
    );
    await q.query(
      `ALTER TABLE notifications.delivery_attempts ALTER COLUMN duration_ms SET NOT NULL`,
    );
    await q.query(
      `ALTER TABLE notifications.delivery_attempts DROP CONSTRAINT delivery_attempts_outcome_check`,
    );
    await q.query(
      `ALTER TABLE notifications.delivery_attempts ADD CONSTRAINT delivery_attempts_outcome_check CHECK (outcome IN ('DELIVERED', 'RETRY', 'FAILED'))`,
    );
  }
}
