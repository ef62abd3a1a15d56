/**
 * Integration-test harness for the policy service: its own database (migrated), the app booted
 * with its own config (task-queue prefix, Kafka groups), tokens per role, and optionally the
 * real grant workflow on Temporal (a Worker on this suite's prefixed queues).
 */
import type { INestApplication } from '@nestjs/common';
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
import { ensureTopics } from '@lapse/kafka';
import {
  bootInProcess,
  callApi,
  callApiOk,
  createTestDatabase,
  databaseUrlAs,
  kafkaAs,
  kafkaEnvAs,
  stack,
  stackServiceEnv,
  uniqueSuffix,
  stackTemporalSettings,
  positionAtEnd,
  type ApiAnswer,
} from '@lapse/testing';
import { startGrantWorker, type RunningGrantWorker } from '@lapse/testing/lapse-stack';
import { connectTemporalWorker } from '@lapse/temporal';
import { createActivityWorker } from '@lapse/grant-runtime';
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
  private grantWorker?: RunningGrantWorker;
  private accessTrackingWorker?: Worker;
  private running?: Promise<unknown>;
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
      ...stackServiceEnv(),
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
    if (opts.consumers) {
      const kafka = kafkaAs('ops', `policy-test-${this.prefix}`);
      await ensureTopics(kafka);
      await positionAtEnd(kafka, this.config.LAPSE_POLICY_GRANT_STATE_GROUP, TOPICS.grantState);
    }
    if (opts.workflows) await this.startWorkers();
    ({ app: this.app, url: this.url } = await bootInProcess<NestExpressApplication>(
      createAppModule(this.config),
      {
        options: { logger: false, bodyParser: false },
        configure: (app) => {
          app.useBodyParser('json', { limit: '256kb' });
          app.enableShutdownHooks();
        },
      },
    ));
    this.ds = this.app.get(DataSource);
    this.client = this.app.get(Client);
    this.grants = this.app.get(GrantClient);
  }

  private async startWorkers(): Promise<void> {
    await ensureTopics(kafkaAs('ops', `policy-test-${this.prefix}`));
    // The grant workflows, publishing grant states as the grant worker does.
    this.grantWorker = await startGrantWorker({
      taskQueuePrefix: this.prefix,
      clientId: `policy-test-${this.prefix}`,
    });
    this.nativeConnection = await connectTemporalWorker(stackTemporalSettings());
    const accessTracking: AccessTrackingActivities = {
      // Stands in for access-tracking: these suites record no usage, so there is no later access.
      latestAccess: async () => null,
    };
    this.accessTrackingWorker = await createActivityWorker({
      connection: this.nativeConnection,
      namespace: stack.temporalNamespace,
      taskQueue: ACTIVITY_TASK_QUEUES.accessTracking,
      activities: accessTracking,
      taskQueuePrefix: this.prefix,
    });
    this.running = this.accessTrackingWorker.run();
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

  /** A call of this policy service (`token` as Bearer, when given). */
  call(method: string, path: string, token: string | null, body?: unknown): Promise<ApiAnswer> {
    return callApi(this.url, method, path, token, body);
  }

  /** The parsed body of a call that must succeed (setup steps): anything but 2xx throws. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ok(method: string, path: string, token: string, body?: unknown): Promise<any> {
    return callApiOk(this.url, method, path, token, body);
  }

  /** The grant workflow's state, or null when it does not exist or does not answer. */
  async grantState(grant: GrantRef): Promise<GrantView | null> {
    return this.grants.state(grant).catch(() => null);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    if (this.accessTrackingWorker?.getState() === 'RUNNING') this.accessTrackingWorker.shutdown();
    await this.running?.catch(() => undefined);
    await this.nativeConnection?.close();
    await this.grantWorker?.stop();
    await this.dropDb?.();
  }

  /** Terminates the grant workflows of these pairs (so no timers outlive the suite). */
  async terminate(grants: GrantRef[]): Promise<void> {
    await Promise.all(
      grants.map((g) => this.grants.terminate(g, 'test over').catch(() => undefined)),
    );
  }
}
