import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional outbox: a service writes its state change and the event to publish in one
 * transaction; the relay (libs/kafka OutboxRelay) publishes and deletes. A crash between
 * "write" and "publish" loses nothing; consumers must be idempotent (they see at-least-once).
 */
export interface OutboxMessage {
  topic: string;
  key: string | null;
  value: unknown;
}

export async function enqueue(
  manager: EntityManager,
  schema: string,
  messages: OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const params: unknown[] = [];
  const rows = messages.map((m, i) => {
    params.push(m.topic, m.key, JSON.stringify(m.value));
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
  });
  await manager.query(
    `INSERT INTO "${schema}".outbox (topic, key, value) VALUES ${rows.join(', ')}`,
    params,
  );
}

/** The outbox table; each service's first migration creates it in its schema. */
export async function createOutboxTable(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`CREATE TABLE "${schema}".outbox (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    key text,
    value jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
}

export async function dropOutboxTable(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`DROP TABLE "${schema}".outbox`);
}

/** A ready migration class for services whose first migration is only the outbox. */
export function outboxMigration(schema: string, timestamp: number): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = `Outbox${timestamp}`;
    async up(q: QueryRunner) {
      await createOutboxTable(q, schema);
    }
    async down(q: QueryRunner) {
      await dropOutboxTable(q, schema);
    }
  };
}
