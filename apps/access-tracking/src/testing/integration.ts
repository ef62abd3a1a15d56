/** Helpers for this app's integration tests (real Postgres, Kafka, Temporal); never used at run time. */
import type { Kafka } from 'kafkajs';
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
import {
  TopicOwnersProducer,
  bootInProcess,
  createTestDatabase,
  databaseUrlAs,
  kafkaAs,
  kafkaEnvAs,
  positionAtEnd,
  readTopic,
  stackServiceEnv,
  uniqueSuffix,
  type InProcessApp,
  type TopicReader,
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
    ...stackServiceEnv(),
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

/** Boots the app in-process on a free port. */
export function bootApp(config: AccessTrackingConfig): Promise<InProcessApp> {
  return bootInProcess(createAppModule(config));
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

/** Collects the usage DLQ records this suite's access-tracking publishes after it starts. */
export function dlqReader(suffix: string): Promise<TopicReader<UsageDlqRecord>> {
  return readTopic(TOPICS.usageDlq, (value) => {
    const record = usageDlqRecordSchema.parse(value);
    // Other access-tracking instances on the shared broker refuse the same records: keep ours.
    return record.source?.group === `at-usage-${suffix}` ? record : undefined;
  });
}
