import type { WorkerOptions } from '@temporalio/worker';
import type { GrantWorkerConfig } from './config';

type Tuning = Pick<
  GrantWorkerConfig,
  | 'LAPSE_GRANT_WORKER_WORKFLOW_TASKS'
  | 'LAPSE_GRANT_WORKER_CONCURRENCY'
  | 'LAPSE_GRANT_WORKER_STICKY_TIMEOUT_SECONDS'
  | 'LAPSE_GRANT_WORKER_WORKFLOW_POLLERS'
  | 'LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE'
  | 'LAPSE_GRANT_WORKER_WORKFLOW_POLL_SCALING'
  | 'LAPSE_GRANT_WORKER_WORKFLOW_THREADS'
  | 'LAPSE_GRANT_WORKER_CACHED_WORKFLOWS'
>;

/** The Temporal worker options of the grant worker's capacity settings (docs/operations.md). */
export function grantWorkerTuning(c: Tuning): Partial<WorkerOptions> {
  const polls = Math.min(
    c.LAPSE_GRANT_WORKER_WORKFLOW_POLLERS,
    c.LAPSE_GRANT_WORKER_WORKFLOW_TASKS,
  );
  return {
    maxConcurrentWorkflowTaskExecutions: c.LAPSE_GRANT_WORKER_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: c.LAPSE_GRANT_WORKER_CONCURRENCY,
    stickyQueueScheduleToStartTimeout: `${c.LAPSE_GRANT_WORKER_STICKY_TIMEOUT_SECONDS}s`,
    // Publishing runs as a local activity: as many at once, so one produce carries many.
    maxConcurrentLocalActivityExecutions: c.LAPSE_GRANT_WORKER_CONCURRENCY,
    // A poll needs a free task slot: more polls than slots would only wait.
    workflowTaskPollerBehavior:
      c.LAPSE_GRANT_WORKER_WORKFLOW_POLL_SCALING === 'autoscaling'
        ? { type: 'autoscaling', minimum: 2, maximum: polls, initial: Math.min(5, polls) }
        : { type: 'simple-maximum', maximum: polls },
    nonStickyToStickyPollRatio: c.LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE,
    workflowThreadPoolSize: c.LAPSE_GRANT_WORKER_WORKFLOW_THREADS,
    // Unset: the SDK's default, sized by the heap.
    ...(c.LAPSE_GRANT_WORKER_CACHED_WORKFLOWS === undefined
      ? {}
      : { maxCachedWorkflows: c.LAPSE_GRANT_WORKER_CACHED_WORKFLOWS }),
  };
}
