/**
 * The grant workflow's worker for this suite, in the test process, on the suite's task-queue
 * prefix: the accessGrant workflow from libs/grant-workflow and a `publishGrantState` activity
 * that publishes to grants.state.v1 like the grant-worker service does (access-tracking's
 * decisions are fed by it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection, Worker, type BundleOptions } from '@temporalio/worker';
import { GRANT_TASK_QUEUE, TOPICS, grantKey, taskQueue, type GrantStateActivities } from '@lapse/contracts';
// Tests only: the workflow's code path, to run it on this suite's own task queue (no runtime coupling in the service).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { grantWorkflowsPath } from '@lapse/grant-workflow';
import { JsonProducer, createKafka } from '@lapse/kafka';
import { stack } from '@lapse/testing';

const root = join(__dirname, '..', '..', '..', '..');

/** webpack aliases for the @lapse/* paths of tsconfig.base.json (the workflow bundler knows no tsconfig). */
function lapseAliases(): Record<string, string> {
  const paths = (JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } })
    .compilerOptions.paths;
  return Object.fromEntries(Object.entries(paths).map(([alias, [target]]) => [`${alias}$`, join(root, target)]));
}

export interface RunningGrantWorker {
  stop: () => Promise<void>;
}

export async function startGrantWorker(prefix: string, clientId: string): Promise<RunningGrantWorker> {
  const producer = new JsonProducer(createKafka({ brokers: stack.kafkaBrokers, clientId }));
  const activities: GrantStateActivities = {
    async publishGrantState(view) {
      await producer.send(TOPICS.grantState, [
        {
          key: grantKey(view.userId, view.resourceId),
          value: {
            userId: view.userId,
            resourceId: view.resourceId,
            state: view.state,
            lastAccessAt: view.lastAccessAt,
            lockedAt: view.lockedAt,
            activeUntil: view.activeUntil,
            version: view.version,
            policy: view.policy,
          },
        },
      ]);
    },
  };
  const hook: NonNullable<BundleOptions['webpackConfigHook']> = (config) => ({
    ...config,
    resolve: { ...(config.resolve ?? {}), alias: { ...((config.resolve?.alias as Record<string, string> | undefined) ?? {}), ...lapseAliases() } },
  });
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: stack.temporalNamespace,
    taskQueue: taskQueue(GRANT_TASK_QUEUE, prefix),
    workflowsPath: grantWorkflowsPath,
    bundlerOptions: { webpackConfigHook: hook },
    activities,
  });
  const running = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await producer.disconnect();
    },
  };
}
