/**
 * createGrantWorker runs the workflow from a prebuilt bundle (production) and from source with
 * the @lapse/* alias hook (dev); createActivityWorker hosts activities on another service's queue.
 */
import { randomUUID } from 'node:crypto';
import { DefaultLogger, type Worker } from '@temporalio/worker';
import { ACTIVITY_TASK_QUEUES, SEARCH_ATTRIBUTES, type GrantView } from '@lapse/contracts';
import { GrantClient } from '@lapse/grant-client';
import { startTimeSkippingTestEnv, type TimeSkippingTestEnv } from '@lapse/testing';
import { createActivityWorker, createGrantWorker } from './create-grant-worker';
import { buildGrantWorkflowBundle } from './workflow-bundle';

let server: TimeSkippingTestEnv;
beforeAll(async () => {
  server = await startTimeSkippingTestEnv({ searchAttributes: Object.values(SEARCH_ATTRIBUTES) });
});
afterAll(async () => {
  await server?.teardown();
});

async function runGrant(bundle: { code: string } | undefined): Promise<GrantView[]> {
  const { nativeConnection: connection, client } = server.env;
  const prefix = `w-${randomUUID().slice(0, 8)}-`;
  const published: GrantView[] = [];
  const workers: Worker[] = [
    await createGrantWorker({
      connection,
      namespace: server.namespace,
      activities: { publishGrantState: async (v) => void published.push(v) },
      bundle,
      taskQueuePrefix: prefix,
    }),
    await createActivityWorker({
      connection,
      namespace: server.namespace,
      taskQueue: ACTIVITY_TASK_QUEUES.accessTracking,
      activities: { latestAccess: async () => null },
      taskQueuePrefix: prefix,
    }),
    await createActivityWorker({
      connection,
      namespace: server.namespace,
      taskQueue: ACTIVITY_TASK_QUEUES.requests,
      activities: { recordRequest: async () => undefined },
      taskQueuePrefix: prefix,
    }),
  ];
  const running = Promise.all(workers.map((w) => w.run()));
  try {
    const grants = new GrantClient(client, { taskQueuePrefix: prefix, requestTtlSeconds: 3600 });
    const grant = { userId: randomUUID(), resourceId: randomUUID() };
    await grants.start(grant, {
      policy: { autoLock: null, accessRequests: null, expiresAt: null, sourceGroupIds: ['g'] },
      createdAt: new Date(await server.env.currentTimeMs()).toISOString(),
    });
    expect((await grants.state(grant))?.state).toBe('ACTIVE');
    await grants.revoke(grant);
    expect((await grants.ended(grant)).state).toBe('REVOKED');
    return published;
  } finally {
    workers.forEach((w) => w.shutdown());
    await running;
  }
}

it('runs the workflow from a prebuilt bundle', async () => {
  const bundle = await buildGrantWorkflowBundle({ logger: new DefaultLogger('WARN') });
  const published = await runGrant(bundle);
  expect(published.map((v) => v.state)).toEqual(['ACTIVE', 'REVOKED']);
});

it('runs the workflow from source (workflowsPath + alias hook)', async () => {
  const published = await runGrant(undefined);
  expect(published.at(-1)?.state).toBe('REVOKED');
});
