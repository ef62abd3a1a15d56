/**
 * Proves the test suite runs against the real servers of tools/stack: Postgres through
 * TypeORM, Kafka through kafkajs consumer groups, the Temporal dev server, and the
 * time-skipping test server.
 */
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { connectTemporal, connectTemporalWorker } from '@lapse/temporal';
import { kafkaAs } from './kafka';
import { createTestDatabase, waitFor, stack, stackTemporalSettings, uniqueSuffix } from './stack';

@Entity({ name: 'smoke_note' })
class SmokeNote {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') body!: string;
  @Column('timestamptz') at!: Date;
}

describe('the real servers', () => {
  it('Postgres: a TypeORM entity round trip', async () => {
    const db = await createTestDatabase('smoke');
    const ds = new DataSource({ type: 'postgres', url: db.url, entities: [SmokeNote] });
    await ds.initialize();
    try {
      await ds.query(
        'CREATE TABLE smoke_note (id uuid PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL)',
      );
      const note = {
        id: randomUUID(),
        body: 'least privilege',
        at: new Date('2026-01-02T03:04:05.678Z'),
      };
      await ds.getRepository(SmokeNote).save(note);
      const back = await ds.getRepository(SmokeNote).findOneByOrFail({ id: note.id });
      expect(back).toEqual(note);
      const [{ version }] = await ds.query('SELECT version()');
      expect(version).toMatch(/PostgreSQL/);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });

  it('Kafka: produce, then consume through a consumer group', async () => {
    // The operator: it may create topics, and write only its own scratch topics (`ops.`).
    const kafka = kafkaAs('ops', 'smoke');
    const topic = `ops.smoke.${uniqueSuffix()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `smoke-${uniqueSuffix()}` });
    try {
      await producer.connect();
      const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` }));
      await producer.send({ topic, messages: sent });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => void got.push(String(message.value)),
      });
      await waitFor(() => (got.length >= sent.length ? true : undefined), {
        what: 'all 30 messages',
      });
      expect(got.sort()).toEqual(sent.map((m) => m.value).sort());
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('Temporal dev server: a workflow runs on a real worker', async () => {
    const connection = await connectTemporal(stackTemporalSettings(), 1);
    const taskQueue = `smoke-${uniqueSuffix()}`;
    const workerConnection = await connectTemporalWorker(stackTemporalSettings());
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: stack.temporalNamespace,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/smoke-workflows'),
    });
    try {
      const result = await worker.runUntil(
        new Client({ connection, namespace: stack.temporalNamespace }).workflow.execute('greet', {
          taskQueue,
          workflowId: `smoke-${randomUUID()}`,
          args: ['lapse'],
        }),
      );
      expect(result).toBe('hello, lapse');
    } finally {
      await connection.close();
      await workerConnection.close();
    }
  });

  it('Temporal time-skipping server: 90 days of sleep finish in seconds', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: stack.temporalTestServerPath } },
    });
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'smoke',
        workflowsPath: require.resolve('./fixtures/smoke-workflows'),
      });
      const wallStart = Date.now();
      const slept = await worker.runUntil(
        env.client.workflow.execute('sleepDays', {
          taskQueue: 'smoke',
          workflowId: `sleep-${randomUUID()}`,
          args: [90],
        }),
      );
      expect(slept).toBeGreaterThanOrEqual(90 * 24 * 3600 * 1000);
      expect(Date.now() - wallStart).toBeLessThan(60_000);
    } finally {
      await env.teardown();
    }
  });
});
