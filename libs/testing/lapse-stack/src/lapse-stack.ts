/**
 * Several Lapse services against the real servers, for cross-service integration suites: one
 * fresh database migrated for every schema, the grant workflow worker in the test process, the
 * policy service (with its bootstrap admin) and the services asked for as child processes — all
 * on one private task-queue prefix, consumer groups and secrets, so suites never see each other.
 */
import { Client } from '@temporalio/client';
import { GrantClient } from '@lapse/grant-client';
import { signUserToken } from '@lapse/auth';
import type { GrantRef, GrantState, GrantView } from '@lapse/contracts';
import { prebuiltGrantWorkflowBundle } from '@lapse/grant-runtime';
import {
  bootstrapAdmin,
  createTestDatabase,
  waitFor,
  migrateAllSchemas,
  stack,
  stackServiceEnv,
  startServiceProcess,
  uniqueSuffix,
  type PolicyAdmin,
  type RunningService,
  stackTemporalSettings,
} from '@lapse/testing';
import { connectTemporal } from '@lapse/temporal';
import { startGrantWorker } from './start-grant-worker';

export type LapseService = 'access-tracking' | 'requests' | 'notifications';

export interface LapseStackOptions {
  /** Services to run as child processes besides policy (which always runs). */
  services?: LapseService[];
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Extra environment per service (after `env`). */
  serviceEnv?: Partial<Record<LapseService | 'policy', Record<string, string>>>;
  /** Run the grant worker in the test process (default) or as the real app, a child process (to kill it). */
  grantWorker?: 'in-process' | 'process';
  /** How long each service may take to boot (default 120 s; booting several at once on a busy host is slower). */
  bootTimeoutMs?: number;
}

export interface LapseStack {
  suffix: string;
  prefix: string;
  jwtSecret: string;
  serviceSecret: string;
  /** The environment every service got (database, servers, secrets, prefix). */
  env: Record<string, string>;
  policy: RunningService;
  services: Partial<Record<LapseService, RunningService>>;
  /** The grant-worker app, when started as a process. */
  grantWorkerProcess: RunningService | null;
  /** The grant client on the stack's namespace and task-queue prefix. */
  grants: GrantClient;
  /** Waits (60 s at most) until the grant's workflow is in `state`; its view then. */
  grantIn: (grant: GrantRef, state: GrantState) => Promise<GrantView>;
  /** The bootstrap ADMIN of the policy service, through its API. */
  admin: PolicyAdmin;
  /** A user token (Bearer), as the console sends for the signed-in user. */
  tokenFor: (userId: string) => Promise<string>;
  /** Stops everything it started (idempotent) and drops the database. */
  stop: () => Promise<void>;
}

export async function startLapseStack(
  label: string,
  opts: LapseStackOptions = {},
): Promise<LapseStack> {
  const suffix = uniqueSuffix();
  const prefix = `it-${label}-${suffix}-`;
  const jwtSecret = `jwt-secret-${suffix}-0123456789abcdef`;
  const serviceSecret = `service-secret-${suffix}-0123456789abcdef`;
  const adminEmail = `admin-${suffix}@it.lapse`;
  const db = await createTestDatabase(label);
  const stoppers: (() => Promise<unknown>)[] = [db.drop];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Last started, first stopped; the database goes last.
    for (const s of stoppers.splice(0).reverse()) await s();
  };
  try {
    await migrateAllSchemas(db.url);
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      LAPSE_JWT_SECRET: jwtSecret,
      LAPSE_SERVICE_SECRET: serviceSecret,
      LAPSE_TASK_QUEUE_PREFIX: prefix,
      // Test receivers listen on 127.0.0.1 (webhook targets are otherwise refused there).
      LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      ...stackServiceEnv(),
      ...opts.env,
    };
    const boot = { timeoutMs: opts.bootTimeoutMs ?? 120_000 };
    let grantWorkerProcess: RunningService | null = null;
    if (opts.grantWorker === 'process') {
      const bundle = prebuiltGrantWorkflowBundle();
      grantWorkerProcess = await startServiceProcess(
        'grant-worker',
        {
          ...env,
          KAFKA_CLIENT_ID: `grant-worker-${suffix}`,
          ...(bundle ? { LAPSE_GRANT_WORKFLOW_BUNDLE: bundle } : {}),
        },
        boot,
      );
      const running = grantWorkerProcess;
      stoppers.push(() => running.stop());
    } else {
      const grantWorker = await startGrantWorker({
        taskQueuePrefix: prefix,
        clientId: `grant-worker-${suffix}`,
      });
      stoppers.push(grantWorker.stop);
    }
    const policy = await startServiceProcess(
      'policy',
      {
        ...env,
        LAPSE_BOOTSTRAP_ADMIN_EMAIL: adminEmail,
        LAPSE_GRANT_SYNC_POLL_MS: '100',
        LAPSE_POLICY_AUDIT_GROUP: `policy-audit-${suffix}`,
        LAPSE_POLICY_GRANT_STATE_GROUP: `policy-grant-state-${suffix}`,
        ...opts.serviceEnv?.policy,
      },
      boot,
    );
    stoppers.push(() => policy.stop());
    const own: Record<LapseService, Record<string, string>> = {
      'access-tracking': {
        LAPSE_POLICY_URL: policy.url,
        LAPSE_USAGE_GROUP_ID: `at-usage-${suffix}`,
        LAPSE_GRANT_STATE_GROUP_ID: `at-grant-state-${suffix}`,
        LAPSE_AUTHZ_POLICY_GROUP_ID: `at-authz-policy-${suffix}`,
      },
      requests: {
        LAPSE_POLICY_URL: policy.url,
        LAPSE_POLICY_CACHE_MS: '0',
        KAFKA_CLIENT_ID: `requests-${suffix}`,
      },
      notifications: {
        LAPSE_POLICY_URL: policy.url,
        LAPSE_NOTIFICATIONS_GROUP_ID: `notifications-${suffix}`,
      },
    };
    const services: Partial<Record<LapseService, RunningService>> = {};
    await Promise.all(
      (opts.services ?? []).map(async (name) => {
        const running = await startServiceProcess(
          name,
          { ...env, ...own[name], ...opts.serviceEnv?.[name] },
          boot,
        );
        stoppers.push(() => running.stop());
        services[name] = running;
      }),
    );
    const connection = await connectTemporal(stackTemporalSettings(), 1);
    stoppers.push(() => connection.close());
    const grants = new GrantClient(new Client({ connection, namespace: stack.temporalNamespace }), {
      taskQueuePrefix: prefix,
    });
    const admin = await bootstrapAdmin(policy.url, {
      email: adminEmail,
      jwtSecret,
      serviceSecret,
    });
    return {
      suffix,
      prefix,
      jwtSecret,
      serviceSecret,
      env,
      policy,
      services,
      grantWorkerProcess,
      grants,
      grantIn: (grant, state) =>
        waitFor(
          async () => {
            const v = await grants.state(grant);
            return v?.state === state ? v : undefined;
          },
          {
            timeoutMs: 60_000,
            intervalMs: 250,
            what: `grant ${grant.resourceId}/${grant.userId} to be ${state}`,
          },
        ),
      admin,
      tokenFor: (userId) => signUserToken(jwtSecret, userId),
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
