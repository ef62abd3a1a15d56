/**
 * Where a grant's own auto-lock spends its time, read from its workflow history against the
 * deadline T (the bench's clock and the Temporal server's are the same machine's).
 *
 *   T ─ timer ─▶ TimerFired ─ checkQueued ─▶ task started ─ checkTask ─▶ completed (latestAccess
 *     scheduled) ─ accessQueued ─▶ activity started ─ accessRun ─▶ completed ─ lockQueued ─▶
 *     task started ─ lockTask ─▶ completed (LOCKED published by the local activity inside it)
 *
 * `checkQueued` and `lockQueued` run from the first task scheduled after the event that woke the
 * workflow to the start of the task that completed: a task that timed out (on the sticky queue:
 * schedule-to-start; on a worker: start-to-close) or failed in between is counted, not hidden.
 * `accessQueued` is the last attempt's wait (Temporal records one started event, for the last
 * attempt); earlier attempts' time is in `accessAttempts` > 1 and in the total. Pure: events
 * in, milliseconds out.
 */
import { temporal } from '@temporalio/proto';
import { eventMs } from './approval-stages';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export const LOCK_STAGES = [
  'timer',
  'checkQueued',
  'checkTask',
  'accessQueued',
  'accessRun',
  'lockQueued',
  'lockTask',
  'total',
] as const;
export type LockStage = (typeof LOCK_STAGES)[number];

export interface LockPath {
  ms: Record<LockStage, number>;
  /** latestAccess attempts (1: answered first time). */
  accessAttempts: number;
  /** Workflow tasks that timed out between the timer and the lock (sticky schedule-to-start, start-to-close). */
  tasksTimedOut: number;
  /** Of those, tasks that waited out the sticky queue's schedule-to-start timeout. */
  stickyTimeouts: number;
  /** Workflow tasks that failed (e.g. a replay error) in the same span. */
  tasksFailed: number;
}

const EventType = temporal.api.enums.v1.EventType;
const TimeoutType = temporal.api.enums.v1.TimeoutType;
const type = (e: HistoryEvent) => e.eventType;

/**
 * The lock path of the auto-lock check that `latestAccess` (the activity) ran for, the last one
 * in `events`; null when the history holds none (the workflow has not got that far).
 */
export function lockPath(events: HistoryEvent[], deadlineMs: number): LockPath | null {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const indexOf = (e: HistoryEvent) => events.indexOf(e);
  let check = -1;
  for (let i = events.length - 1; i >= 0; i--)
    if (
      type(events[i]) === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      events[i].activityTaskScheduledEventAttributes?.activityType?.name === 'latestAccess'
    ) {
      check = i;
      break;
    }
  if (check < 0) return null;
  const scheduled = events[check];
  const scheduledId = Number(scheduled.eventId);
  const checkDone = byId.get(
    Number(scheduled.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId),
  );
  const checkDoneAttrs = checkDone?.workflowTaskCompletedEventAttributes;
  const checkStarted = byId.get(Number(checkDoneAttrs?.startedEventId));
  const fired = lastBefore(events, check, EventType.EVENT_TYPE_TIMER_FIRED);
  if (!checkDone || !checkStarted || !fired) return null;
  const firstCheckTask = firstAfter(
    events,
    indexOf(fired),
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  );
  const accessStarted = events.find(
    (e) =>
      type(e) === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId,
  );
  const accessDone = events.find(
    (e, i) =>
      i > check &&
      [
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
      ].includes(type(e) ?? EventType.EVENT_TYPE_UNSPECIFIED) &&
      Number(
        (
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes
        )?.scheduledEventId,
      ) === scheduledId,
  );
  if (!accessDone) return null;
  const firstLockTask = firstAfter(
    events,
    indexOf(accessDone),
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  );
  // The task that locked: the first completed after the activity's result.
  const lockDone = firstAfter(
    events,
    indexOf(accessDone),
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  );
  const lockStarted = byId.get(
    Number(lockDone?.workflowTaskCompletedEventAttributes?.startedEventId),
  );
  if (!lockDone || !lockStarted) return null;
  let tasksTimedOut = 0;
  let stickyTimeouts = 0;
  let tasksFailed = 0;
  for (let i = indexOf(fired); i < indexOf(lockDone); i++) {
    const e = events[i];
    if (type(e) === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
      tasksTimedOut++;
      if (
        e.workflowTaskTimedOutEventAttributes?.timeoutType ===
        TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START
      )
        stickyTimeouts++;
    }
    if (type(e) === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) tasksFailed++;
  }
  const gap = (a?: HistoryEvent, b?: HistoryEvent) => (a && b ? eventMs(b) - eventMs(a) : NaN);
  return {
    ms: {
      timer: eventMs(fired) - deadlineMs,
      checkQueued: gap(firstCheckTask, checkStarted),
      checkTask: gap(checkStarted, checkDone),
      accessQueued: gap(scheduled, accessStarted),
      accessRun: gap(accessStarted, accessDone),
      lockQueued: gap(firstLockTask, lockStarted),
      lockTask: gap(lockStarted, lockDone),
      total: eventMs(lockDone) - deadlineMs,
    },
    accessAttempts: Number(accessStarted?.activityTaskStartedEventAttributes?.attempt ?? 0),
    tasksTimedOut,
    stickyTimeouts,
    tasksFailed,
  };
}

function lastBefore(events: HistoryEvent[], index: number, t: temporal.api.enums.v1.EventType) {
  for (let i = index - 1; i >= 0; i--) if (type(events[i]) === t) return events[i];
  return undefined;
}

function firstAfter(events: HistoryEvent[], index: number, t: temporal.api.enums.v1.EventType) {
  for (let i = index + 1; i < events.length; i++) if (type(events[i]) === t) return events[i];
  return undefined;
}
