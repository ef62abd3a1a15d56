/**
 * Integration-test stack for the requests service: a fresh database migrated for every schema,
 * the real policy, grant-worker and access-tracking services as child processes on a private
 * Temporal task-queue prefix, and this service in-process (Nest) listening on a free port.
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { signServiceToken, signUserToken } from '@lapse/auth';
import { lapseValidationPipe } from '@lapse/platform';
import { createTestDatabase, startServiceProcess, stack, uniqueSuffix, type RunningService, migrateAllSchemas } from '@lapse/testing';
import { createAppModule } from '../app.module';
import { loadServiceConfig, type RequestsConfig } from '../config';
import { configureApp } from '../http/configure-app';
import { startGrantWorker } from '@lapse/grant-runtime/testing';


export interface LapseStack {
  suffix: string;
  prefix: string;
  jwtSecret: string;
  serviceSecret: string;
  policy: RunningService;
  /** access-tracking (decisions), when started. */
  accessTracking: RunningService | null;
  requests: INestApplication;
  requestsUrl: string;
  config: RequestsConfig;
  /** A user token (the same JWT the pages read from the `lapse_token` cookie). */
  tokenFor: (userId: string) => Promise<string>;
  admin: PolicyAdmin;
  stop: () => Promise<void>;
}


export async function startLapseStack(label: string, opts: { accessTracking?: boolean } = {}): Promise<LapseStack> {
  const suffix = uniqueSuffix();
  const prefix = `it-${label}-${suffix}-`;
  const jwtSecret = `jwt-secret-${suffix}-0123456789abcdef`;
  const serviceSecret = `service-secret-${suffix}-0123456789abcdef`;
  const db = await createTestDatabase(label);
  const started: RunningService[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  let requests: INestApplication | undefined;
  const stop = async () => {
    await requests?.close();
    await Promise.all(started.map((s) => s.stop()));
    for (const stopOne of stoppers) await stopOne();
    await db.drop();
  };
  try {
    await migrateAllSchemas(db.url);
    const adminEmail = `admin-${suffix}@it.lapse`;
    const common = {
      DATABASE_URL: db.url,
      LAPSE_JWT_SECRET: jwtSecret,
      LAPSE_SERVICE_SECRET: serviceSecret,
      LAPSE_TASK_QUEUE_PREFIX: prefix,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.temporalNamespace,
    };
    const grantWorker = await startGrantWorker({ taskQueuePrefix: prefix, clientId: `grant-worker-${suffix}` });
    stoppers.push(grantWorker.stop);
    const [policy] = await Promise.all([
      startServiceProcess('policy', {
        ...common,
        LAPSE_BOOTSTRAP_ADMIN_EMAIL: adminEmail,
        LAPSE_GRANT_SYNC_POLL_MS: '100',
        LAPSE_POLICY_AUDIT_GROUP: `policy-audit-${suffix}`,
        LAPSE_POLICY_GRANT_STATE_GROUP: `policy-grant-state-${suffix}`,
      }),
    ]);
    started.push(policy);
    if (opts.accessTracking !== false) {
      started.push(
        await startServiceProcess('access-tracking', {
          ...common,
          LAPSE_USAGE_GROUP_ID: `at-usage-${suffix}`,
          LAPSE_GRANT_STATE_GROUP_ID: `at-grant-state-${suffix}`,
        }),
      );
    }
    const config = loadServiceConfig({
      ...common,
      LOG_LEVEL: 'error',
      LAPSE_POLICY_URL: policy.url,
      LAPSE_POLICY_CACHE_MS: '0',
      KAFKA_CLIENT_ID: `requests-${suffix}`,
      NODE_ENV: 'test',
    });
    const app = await NestFactory.create(createAppModule(config), { logger: ['error', 'warn'] });
    requests = app;
    app.useGlobalPipes(lapseValidationPipe());
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    const requestsUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const service = await signServiceToken(serviceSecret, 'it');
    const found = (await (await fetch(`${policy.url}/v1/users?email=${encodeURIComponent(adminEmail)}`, { headers: { authorization: `Bearer ${service}` } })).json()) as { id: string }[];
    if (!found[0]) throw new Error('bootstrap admin not found in policy');
    const adminToken = await signUserToken(jwtSecret, found[0].id);
    return {
      suffix,
      prefix,
      jwtSecret,
      serviceSecret,
      policy,
      accessTracking: started[1] ?? null,
      requests: app,
      requestsUrl,
      config,
      tokenFor: (userId) => signUserToken(jwtSecret, userId),
      admin: new PolicyAdmin(policy.url, adminToken),
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** The policy admin API, as an ADMIN (to set up users, groups, resources, assignments). */
export class PolicyAdmin {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`policy ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  user(name: string, email: string, roles: string[] = []) {
    return this.call<{ id: string; name: string; email: string }>('POST', '/v1/users', { name, email, roles });
  }
  group(name: string, memberIds: string[]) {
    return this.call<{ id: string }>('POST', '/v1/groups', { name }).then(async (g) => {
      await this.call('PUT', `/v1/groups/${g.id}/members`, { userIds: memberIds });
      return g;
    });
  }
  resource(name: string, policy: unknown) {
    return this.call<{ id: string; name: string }>('POST', '/v1/resources', { name, address: `${name.toLowerCase().replace(/\W+/g, '-')}.internal.example`, policy });
  }
  /** Replaces the resource's default policy (reaches its grants as policyChanged). */
  setPolicy(resourceId: string, policy: unknown) {
    return this.call('PATCH', `/v1/resources/${resourceId}`, { policy });
  }
  assign(resourceId: string, groupId: string) {
    return this.call('PUT', `/v1/resources/${resourceId}/assignments/${groupId}`, {});
  }
  approvers(resourceId: string, groupIds: string[]) {
    return this.call('PUT', `/v1/resources/${resourceId}/approvers`, { groupIds });
  }
}
