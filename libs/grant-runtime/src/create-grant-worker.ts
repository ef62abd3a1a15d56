/**
 * The grant-worker's Temporal workers.
 *
 *   const worker = await createGrantWorker({ connection, namespace, activities, bundle });
 *   await worker.run(); // resolves after worker.shutdown(); rejects on a fatal error
 *
 * - `activities`: what the `grants` queue hosts, i.e. `createGrantStateActivities({ publish })`.
 * - `bundle`: path of the prebuilt workflow bundle (production: dist/grant-workflow/workflow-bundle.js,
 *   built by tools/scripts/build-workflow-bundle.ts) or its code; omitted in dev, where the worker
 *   bundles from source (workflowsPath + the @lapse/* alias hook) at start-up.
 * - `taskQueuePrefix`: '' in production; tests isolate suites with it (AccessGrantInput.taskQueuePrefix).
 *
 * Activities owned by other services (latestAccess → access-tracking, recordRequest → requests)
 * run on those services' queues; to host a first implementation here, start
 * `createActivityWorker` on their queue. The workflow does not care where they run.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { GRANT_TASK_QUEUE, taskQueue, type GrantStateActivities } from '@lapse/contracts';
import { grantWorkflowBundleOptions } from './workflow-bundle';

export interface CreateGrantWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: GrantStateActivities;
  /** Path of a prebuilt bundle, or its code. Absent: bundle from source (dev). */
  bundle?: string | { code: string };
  taskQueuePrefix?: string;
  /** Extra Worker options (tuning, identity, interceptors). */
  workerOptions?: Partial<
    Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities'>
  >;
}

export async function createGrantWorker(options: CreateGrantWorkerOptions): Promise<Worker> {
  const {
    connection,
    namespace,
    activities,
    bundle,
    taskQueuePrefix = '',
    workerOptions = {},
  } = options;
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> =
    bundle === undefined
      ? (() => {
          const { workflowsPath, webpackConfigHook, preloadModules } = grantWorkflowBundleOptions();
          return { workflowsPath, bundlerOptions: { webpackConfigHook, preloadModules } };
        })()
      : {
          workflowBundle: typeof bundle === 'string' ? { codePath: bundle } : { code: bundle.code },
        };
  return Worker.create({
    ...workerOptions,
    ...workflowSource,
    connection,
    namespace,
    taskQueue: taskQueue(GRANT_TASK_QUEUE, taskQueuePrefix),
    activities,
  });
}

export interface CreateActivityWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The owner's queue, e.g. ACTIVITY_TASK_QUEUES.accessTracking. */
  taskQueue: string;
  activities: object;
  taskQueuePrefix?: string;
}

/** An activity-only worker on another service's queue (interim hosting, tests). */
export async function createActivityWorker(options: CreateActivityWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: taskQueue(options.taskQueue, options.taskQueuePrefix ?? ''),
    activities: options.activities,
  });
}
