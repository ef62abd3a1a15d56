/**
 * Integration-test harness for the policy service: its own database (migrated), the app booted
 * with its own config (task-queue prefix, Kafka groups), tokens per role, and optionally the
 * real grant workflow on Temporal (a Worker on this suite's prefixed queues).
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import {
  ACTIVITY_TASK_QUEUES,
  TOPICS,
  type AccessTrackingActivities,
  type GrantRef,
  type GrantView,
  type Role,
} from '@lapse/contracts';
import { signServiceToken, signUserToken } from '@lapse/auth';
import { migrate } from '@lapse/db';
import { GrantClient } from '@lapse/grant-client';
import { ensureTopics, type JsonProducer } from '@lapse/kafka';
import { lapseValidationPipe } from '@lapse/platform';
import {
  TopicOwnersProducer,
  createTestDatabase,
  databaseUrlAs,
  kafkaAs,
  kafkaEnvAs,
  stack,
  uniqueSuffix,
  stackTemporalSettings,
  waitFor,
} from '@lapse/testing';
import { connectTemporalWorker } from '@lapse/temporal';
import {
  createActivityWorker,
  createGrantStateActivities,
  createGrantWorker,
  prebuiltGrantWorkflowBundle,
} from '@lapse/grant-runtime';
import { createAppModule } from '../app.module';
import { loadServiceConfig, type PolicyConfig } from '../config';
import { dataSourceOptions } from '../db/data-source';
import { GrantSyncLifecycle } from '../grant-sync/grant-sync.lifecycle';

export const JWT_SECRET = 'policy-test-jwt-secret-0123456789';
export const SERVICE_SECRET = 'policy-test-service-secret-012345';

export interface HarnessOptions {
  /** Run the grant sync worker in the app (false: the test drives it). Default true. */
  sync?: boolean;
  /** Start a Temporal worker with the real grant workflow on this suite's prefix. */
  workflows?: boolean;
  consumers?: boolean;
  env?: Record<string, string>;
}

export class PolicyHarness {
  app!: INestApplication;
  url!: string;
  /** The app's own connection: the policy service's database role. */
  ds!: DataSource;
  /** The test database as its owner (migrations ran as it; the app never logs in as it). */
  ownerDatabaseUrl!: string;
  client!: Client;
  /** The app's own grant client (this suite's task-queue prefix). */
  grants!: GrantClient;
  config!: PolicyConfig;
  readonly prefix = `t-pol-${uniqueSuffix()}-`;
  private dropDb!: () => Promise<void>;
  private workers: Worker[] = [];
  private running?: Promise<unknown>;
  private producer?: JsonProducer;
  private nativeConnection?: NativeConnection;

  static async start(label: string, opts: HarnessOptions = {}): Promise<PolicyHarness> {
    const h = new PolicyHarness();
    await h.boot(label, opts);
    return h;
  }

  private async boot(label: string, opts: HarnessOptions): Promise<void> {
    const db = await createTestDatabase(label);
    this.dropDb = db.drop;
    this.ownerDatabaseUrl = db.url;
    await migrate(dataSourceOptions(db.url));
    const suffix = uniqueSuffix();
    this.config = loadServiceConfig({
      ...process.env,
      ...kafkaEnvAs('policy'),
      DATABASE_URL: databaseUrlAs('policy', db.url),
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.temporalNamespace,
      LAPSE_JWT_SECRET: JWT_SECRET,
      LAPSE_SERVICE_SECRET: SERVICE_SECRET,
      LAPSE_TASK_QUEUE_PREFIX: this.prefix,
      LAPSE_POLICY_AUDIT_GROUP: `policy-audit-${suffix}`,
      LAPSE_POLICY_GRANT_STATE_GROUP: `policy-grant-state-${suffix}`,
      LAPSE_GRANT_SYNC_ENABLED: String(opts.sync ?? true),
      LAPSE_POLICY_CONSUMERS_ENABLED: String(opts.consumers ?? false),
      LAPSE_GRANT_SYNC_POLL_MS: '50',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...opts.env,
    });
    // grants.state.v1 holds every other suite's grants: this suite's projection starts at its end.
    if (opts.consumers) await this.positionAtEnd(this.config.LAPSE_POLICY_GRANT_STATE_GROUP);
    if (opts.workflows) await this.startWorkers();
    const app = await NestFactory.create<NestExpressApplication>(createAppModule(this.config), {
      logger: false,
      bodyParser: false,
    });
    app.useBodyParser('json', { limit: '256kb' });
    this.app = app;
    this.app.useGlobalPipes(lapseValidationPipe());
    this.app.enableShutdownHooks();
    await this.app.listen(0, '127.0.0.1');
    this.url = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
    this.ds = this.app.get(DataSource);
    this.client = this.app.get(Client);
    this.grants = this.app.get(GrantClient);
  }

  /** Commits the end offsets of grants.state.v1 for `groupId` (a new group, no members yet). */
  private async positionAtEnd(groupId: string): Promise<void> {
    const kafka = kafkaAs('ops', `policy-test-${this.prefix}`);
    await ensureTopics(kafka);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const offsets = await admin.fetchTopicOffsets(TOPICS.grantState);
          await admin.setOffsets({
            groupId,
            topic: TOPICS.grantState,
            partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
          });
          return true;
        },
        { intervalMs: 500, what: `offsets of ${TOPICS.grantState}` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async startWorkers(): Promise<void> {
    await ensureTopics(kafkaAs('ops', `policy-test-${this.prefix}`));
    // The grant workflows' activities publish grant states as the grant worker does.
    const producer: JsonProducer = new TopicOwnersProducer(`policy-test-${this.prefix}`);
    this.producer = producer;
    this.nativeConnection = await connectTemporalWorker(stackTemporalSettings());
    const accessTracking: AccessTrackingActivities = {
      // Stands in for access-tracking: these suites record no usage, so there is no later access.
      latestAccess: async () => null,
    };
    const connection = this.nativeConnection;
    const namespace = stack.temporalNamespace;
    this.workers = [
      await createGrantWorker({
        connection,
        namespace,
        taskQueuePrefix: this.prefix,
        bundle: prebuiltGrantWorkflowBundle(),
        activities: createGrantStateActivities({
          publish: (topic, key, value) => producer.send(topic, [{ key, value }]),
        }),
      }),
      await createActivityWorker({
        connection,
        namespace,
        taskQueue: ACTIVITY_TASK_QUEUES.accessTracking,
        activities: accessTracking,
        taskQueuePrefix: this.prefix,
      }),
    ];
    this.running = Promise.all(this.workers.map((w) => w.run()));
  }

  get sync() {
    return this.app.get(GrantSyncLifecycle).sync;
  }

  async token(userId: string): Promise<string> {
    return signUserToken(JWT_SECRET, userId);
  }

  serviceToken(service = 'requests'): Promise<string> {
    return signServiceToken(SERVICE_SECRET, service, 'policy');
  }

  /** Inserts a user straight into the table (test setup) and returns its id. */
  async seedUser(email: string, roles: Role[] = []): Promise<string> {
    const [row]: { id: string }[] = await this.ds.query(
      `INSERT INTO policy.users (email, name, roles) VALUES ($1, $1, $2::text[]) RETURNING id`,
      [email, roles],
    );
    return row.id;
  }

  /** Parsed JSON of any shape, read by assertions (test-only). */
  async call(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any; text: string }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, text };
  }

  /** The parsed body of a call that must succeed (setup steps): anything but 2xx throws. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok(method: string, path: string, token: string, body?: unknown): Promise<any> {
    const res = await this.call(method, path, token, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
    return res.body;
  }

  /** The grant workflow's state, or null when it does not exist or does not answer. */
  async grantState(grant: GrantRef): Promise<GrantView | null> {
    return this.grants.state(grant).catch(() => null);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await this.running?.catch(() => undefined);
    await this.nativeConnection?.close();
    await this.producer?.disconnect();
    await this.dropDb?.();
  }

  /** Terminates the grant workflows of these pairs (so no timers outlive the suite). */
  async terminate(grants: GrantRef[]): Promise<void> {
    await Promise.all(
      grants.map((g) => this.grants.terminate(g, 'test over').catch(() => undefined)),
    );
  }
}
