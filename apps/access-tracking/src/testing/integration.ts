/** Helpers for this app's integration tests (real Postgres, Kafka, Temporal); never used at run time. */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Partitioners, type Consumer, type Kafka } from 'kafkajs';
import {
  TOPICS,
  grantKey,
  usageDlqRecordSchema,
  type GrantState,
  type GrantStateEvent,
  type UsageDlqRecord,
} from '@lapse/contracts';
import { migrate } from '@lapse/db';
import { ensureTopics, type JsonProducer } from '@lapse/kafka';
import { lapseValidationPipe } from '@lapse/platform';
import {
  TOPIC_OWNERS,
  TopicOwnersProducer,
  createTestDatabase,
  databaseUrlAs,
  waitFor,
  kafkaAs,
  kafkaEnvAs,
  stack,
  uniqueSuffix,
} from '@lapse/testing';
import { createAppModule } from '../app.module';
import { loadServiceConfig, type AccessTrackingConfig } from '../config';
import { dataSourceOptions } from '../db/data-source';

export const JWT_SECRET = 'access-tracking-test-jwt-secret-0123456789';
export const SERVICE_SECRET = 'access-tracking-test-service-secret-0123456789';

export interface Harness {
  suffix: string;
  kafka: Kafka;
  producer: JsonProducer;
  db: { url: string; drop: () => Promise<void> };
  env: Record<string, string>;
  config: (over?: Record<string, string>) => AccessTrackingConfig;
  close: () => Promise<void>;
}

/** A fresh migrated database, Kafka topics, a producer and unique group ids / task-queue prefix. */
export async function createHarness(label: string): Promise<Harness> {
  const suffix = uniqueSuffix();
  const db = await createTestDatabase(label);
  await migrate(dataSourceOptions(db.url));
  // The operator creates topics and reads the DLQ; records go out as their topic's owner.
  const kafka = kafkaAs('ops', `at-test-${suffix}`);
  await ensureTopics(kafka);
  const producer: JsonProducer = new TopicOwnersProducer(`at-test-${suffix}`);
  await producer.connect();
  const env: Record<string, string> = {
    ...kafkaEnvAs('access-tracking'),
    DATABASE_URL: databaseUrlAs('access-tracking', db.url),
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.temporalNamespace,
    LAPSE_JWT_SECRET: JWT_SECRET,
    LAPSE_SERVICE_SECRET: SERVICE_SECRET,
    LAPSE_USAGE_GROUP_ID: `at-usage-${suffix}`,
    LAPSE_GRANT_STATE_GROUP_ID: `at-grants-${suffix}`,
    LAPSE_TASK_QUEUE_PREFIX: `at-${suffix}-`,
    LOG_LEVEL: 'warn',
  };
  // Shared topics hold other suites' records: start this suite's groups at the current end.
  await positionAtEnd(kafka, env.LAPSE_USAGE_GROUP_ID, TOPICS.usage);
  await positionAtEnd(kafka, env.LAPSE_GRANT_STATE_GROUP_ID, TOPICS.grantState);
  return {
    suffix,
    kafka,
    producer,
    db,
    env,
    config: (over = {}) => loadServiceConfig({ ...env, ...over }),
    close: async () => {
      await producer.disconnect();
      await db.drop();
    },
  };
}

/** Commits the topic's end offsets for `groupId` (a new group with no members). */
export async function positionAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Right after a broker restart leadership may still move: retry until it answers.
    await waitFor(
      async () => {
        const offsets = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId,
          topic,
          partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
        });
        return true;
      },
      { intervalMs: 500, what: `offsets of ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends raw bytes (not JSON-encoded) to a topic as its owner (a proxy for usage): for malformed
 * records. `_kafka` is the harness's client (the operator's, which writes no Lapse topic).
 */
export async function sendRaw(
  _kafka: Kafka,
  topic: string,
  messages: { key: string; value: string }[],
): Promise<void> {
  const owner = TOPIC_OWNERS[topic];
  if (!owner) throw new Error(`no owner known for topic ${topic}`);
  const producer = kafkaAs(owner, `at-test-raw-${owner}`).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Boots the app in-process on a free port. */
export async function bootApp(
  config: AccessTrackingConfig,
): Promise<{ app: INestApplication; url: string }> {
  // @nestjs/testing is not installed: NestFactory boots the same module graph.
  const app = await NestFactory.create(createAppModule(config), { logger: ['error', 'warn'] });
  app.useGlobalPipes(lapseValidationPipe());
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

export function grantRecord(
  userId: string,
  resourceId: string,
  state: GrantState,
  version: number,
  lockedAt: string | null = null,
): GrantStateEvent {
  return { userId, resourceId, state, lastAccessAt: null, lockedAt, activeUntil: null, version };
}

export async function publishGrants(
  producer: JsonProducer,
  records: GrantStateEvent[],
): Promise<void> {
  await producer.send(
    TOPICS.grantState,
    records.map((r) => ({ key: grantKey(r), value: r })),
  );
}

export async function publishUsage(
  producer: JsonProducer,
  userId: string,
  resourceId: string,
  times: Date[],
): Promise<void> {
  await producer.send(
    TOPICS.usage,
    times.map((t) => ({
      key: grantKey({ userId, resourceId }),
      value: { userId, resourceId, occurredAt: t.toISOString(), proxyId: 'test' },
    })),
  );
}

/** Collects DLQ records (by key) published after it starts. */
export async function dlqReader(
  kafka: Kafka,
  suffix: string,
): Promise<{ records: Map<string, UsageDlqRecord[]>; stop: () => Promise<void> }> {
  const groupId = `at-dlq-${suffix}`;
  await positionAtEnd(kafka, groupId, TOPICS.usageDlq);
  const records = new Map<string, UsageDlqRecord[]>();
  // A rebalance of this reader re-reads from its last committed offset: count each Kafka record
  // (partition, offset) once, so only records the service really produced twice show twice.
  const seen = new Set<string>();
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.usageDlq });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const at = `${partition}:${message.offset}`;
      if (seen.has(at)) return;
      seen.add(at);
      const key = message.key?.toString() ?? '';
      const parsed = usageDlqRecordSchema.parse(JSON.parse(message.value?.toString() ?? 'null'));
      // Other access-tracking instances on the shared broker refuse the same records: keep ours.
      if (parsed.source?.group !== `at-usage-${suffix}`) return;
      records.set(key, [...(records.get(key) ?? []), parsed]);
    },
  });
  return { records, stop: () => consumer.disconnect() };
}
