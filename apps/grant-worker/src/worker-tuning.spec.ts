import { configSchema } from './config';
import { grantWorkerTuning } from './worker-tuning';

/** The tuning part of the config as the service parses it from `env`. */
const tuningOf = (env: Record<string, string>) =>
  configSchema
    .pick({
      LAPSE_GRANT_WORKER_WORKFLOW_TASKS: true,
      LAPSE_GRANT_WORKER_CONCURRENCY: true,
      LAPSE_GRANT_WORKER_STICKY_TIMEOUT_SECONDS: true,
      LAPSE_GRANT_WORKER_WORKFLOW_POLLERS: true,
      LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE: true,
      LAPSE_GRANT_WORKER_WORKFLOW_POLL_SCALING: true,
      LAPSE_GRANT_WORKER_WORKFLOW_THREADS: true,
      LAPSE_GRANT_WORKER_CACHED_WORKFLOWS: true,
    })
    .parse(env);

it('by default: up to 10 polls, moved by the server’s backlog hints, one workflow thread, the SDK’s cache', () => {
  const options = grantWorkerTuning(tuningOf({}));
  expect(options).toMatchObject({
    maxConcurrentWorkflowTaskExecutions: 10,
    workflowTaskPollerBehavior: { type: 'autoscaling', minimum: 2, maximum: 10, initial: 5 },
    nonStickyToStickyPollRatio: 0.8,
    workflowThreadPoolSize: 1,
    stickyQueueScheduleToStartTimeout: '60s',
  });
  expect(options).not.toHaveProperty('maxCachedWorkflows');
});

it('never polls for more tasks than it may hold, and bounds the cache when told', () => {
  const options = grantWorkerTuning(
    tuningOf({
      LAPSE_GRANT_WORKER_WORKFLOW_TASKS: '4',
      LAPSE_GRANT_WORKER_WORKFLOW_POLLERS: '12',
      LAPSE_GRANT_WORKER_CACHED_WORKFLOWS: '500',
      LAPSE_GRANT_WORKER_WORKFLOW_POLL_SCALING: 'fixed',
    }),
  );
  expect(options.workflowTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 4 });
  expect(
    grantWorkerTuning(tuningOf({ LAPSE_GRANT_WORKER_WORKFLOW_TASKS: '4' }))
      .workflowTaskPollerBehavior,
  ).toEqual({ type: 'autoscaling', minimum: 2, maximum: 4, initial: 4 });
  expect(options.maxCachedWorkflows).toBe(500);
});

it('refuses a shared-queue share outside (0, 1]', () => {
  expect(() => tuningOf({ LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE: '0' })).toThrow();
  expect(() => tuningOf({ LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE: '1.5' })).toThrow();
  expect(tuningOf({ LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE: '1' })).toMatchObject({
    LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE: 1,
  });
});
