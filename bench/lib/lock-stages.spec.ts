import { temporal } from '@temporalio/proto';
import { lockPath } from './lock-stages';

const T = temporal.api.enums.v1.EventType;
const BASE_S = 1_764_558_000; // the deadline, a whole second; events below are ms after it
const DEADLINE_MS = BASE_S * 1000;

/** A history event `ms` after the deadline. */
function ev(
  eventId: number,
  eventType: temporal.api.enums.v1.EventType,
  ms: number,
  attrs: Record<string, unknown> = {},
): temporal.api.history.v1.IHistoryEvent {
  const at = BASE_S * 1000 + ms;
  return temporal.api.history.v1.HistoryEvent.fromObject({
    eventId,
    eventType,
    eventTime: { seconds: Math.floor(at / 1000), nanos: (at % 1000) * 1e6 },
    ...attrs,
  });
}
const completed = (id: number, ms: number, scheduledEventId: number, startedEventId: number) =>
  ev(id, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, ms, {
    workflowTaskCompletedEventAttributes: { scheduledEventId, startedEventId },
  });
const timedOut = (id: number, ms: number, timeoutType: temporal.api.enums.v1.TimeoutType) =>
  ev(id, T.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, ms, {
    workflowTaskTimedOutEventAttributes: { timeoutType },
  });

/** Started before the storm: the task that set the timer (ms before the deadline). */
const before = [
  ev(1, T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, -60_000),
  ev(2, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, -60_000),
  ev(3, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, -59_990),
  completed(4, -59_980, 2, 3),
  ev(5, T.EVENT_TYPE_TIMER_STARTED, -59_980),
];

/** A grant whose lock went straight through: ms after the deadline. */
const straight = [
  ...before,
  ev(6, T.EVENT_TYPE_TIMER_FIRED, 40),
  ev(7, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 40),
  ev(8, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 1_040),
  completed(9, 1_060, 7, 8),
  ev(10, T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 1_060, {
    activityTaskScheduledEventAttributes: {
      activityType: { name: 'latestAccess' },
      workflowTaskCompletedEventId: 9,
    },
  }),
  ev(11, T.EVENT_TYPE_ACTIVITY_TASK_STARTED, 3_060, {
    activityTaskStartedEventAttributes: { scheduledEventId: 10, attempt: 1 },
  }),
  ev(12, T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 3_070, {
    activityTaskCompletedEventAttributes: { scheduledEventId: 10, startedEventId: 11 },
  }),
  ev(13, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 3_070),
  ev(14, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 7_070),
  completed(15, 7_100, 13, 14),
  ev(16, T.EVENT_TYPE_MARKER_RECORDED, 7_100),
];

describe('lockPath', () => {
  it('splits deadline → LOCKED into the timer, two tasks and the access check', () => {
    expect(lockPath(straight, DEADLINE_MS)).toEqual({
      ms: {
        timer: 40,
        checkQueued: 1_000,
        checkTask: 20,
        accessQueued: 2_000,
        accessRun: 10,
        lockQueued: 4_000,
        lockTask: 30,
        total: 7_100,
      },
      accessAttempts: 1,
      tasksTimedOut: 0,
      stickyTimeouts: 0,
      tasksFailed: 0,
    });
  });

  it('counts a task that waited out the sticky queue in the time it queued', () => {
    const bounced = [
      ...before,
      ev(6, T.EVENT_TYPE_TIMER_FIRED, 0),
      ev(7, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0), // on the sticky queue
      timedOut(8, 60_000, temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
      ev(9, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 60_000), // the shared queue
      ev(10, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 61_000),
      completed(11, 61_500, 9, 10),
      ev(12, T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 61_500, {
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'latestAccess' },
          workflowTaskCompletedEventId: 11,
        },
      }),
      ev(13, T.EVENT_TYPE_ACTIVITY_TASK_STARTED, 75_500, {
        activityTaskStartedEventAttributes: { scheduledEventId: 12, attempt: 3 },
      }),
      ev(14, T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 75_600, {
        activityTaskCompletedEventAttributes: { scheduledEventId: 12, startedEventId: 13 },
      }),
      ev(15, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 75_600),
      ev(16, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 75_700),
      timedOut(17, 85_700, temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE),
      ev(18, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 85_700),
      ev(19, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 86_000),
      completed(20, 86_100, 18, 19),
    ];
    expect(lockPath(bounced, DEADLINE_MS)).toMatchObject({
      ms: {
        checkQueued: 61_000,
        checkTask: 500,
        accessQueued: 14_000,
        lockQueued: 86_000 - 75_600,
        lockTask: 100,
        total: 86_100,
      },
      accessAttempts: 3,
      tasksTimedOut: 2,
      stickyTimeouts: 1,
    });
  });

  it('is null until the workflow has asked for the latest access and had its answer', () => {
    expect(lockPath(before, DEADLINE_MS)).toBeNull();
    expect(lockPath(straight.slice(0, 11), DEADLINE_MS)).toBeNull();
  });
});
