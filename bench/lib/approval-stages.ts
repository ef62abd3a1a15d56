/**
 * Where an approval's time goes: the approve call's own timestamps (the bench's clock, the same
 * machine as the Temporal server's) laid against the grant workflow's history.
 *
 *   call ─ toWorkflow ─▶ review task scheduled ─ queued ─▶ started ─ workflowTask ─▶ completed
 *        ─ answer ─▶ call returned ─ toDecisions ─▶ ACTIVE seen in decisions
 *
 * `toWorkflow` is the requests service before the update (who the reviewer is, the request, the
 * approver check) and the update reaching the history service; `queued` the task waiting for a
 * grant worker's poll; `workflowTask` the worker running it (publishing ACTIVE as a local
 * activity before completing); `answer` the update's outcome back to the requests service, its
 * own record of it and the HTTP answer. After the call, off its path but on the same worker and
 * server: the `recordRequest` activity (queued, run) and the workflow task its completion
 * needs (queued, run). Pure: histories in, milliseconds out.
 */
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The bench's view of one approval (epoch ms). */
export interface ApprovalTimes {
  calledAt: number;
  answeredAt: number;
  allowedAt: number;
}

export const STAGES = [
  'toWorkflow',
  'queued',
  'workflowTask',
  'answer',
  'toDecisions',
  'recordQueued',
  'recordRun',
  'afterRecordQueued',
  'afterRecordRun',
] as const;
export type Stage = (typeof STAGES)[number];

const EventType = temporal.api.enums.v1.EventType;
const EVENT = {
  wftScheduled: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  wftStarted: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  wftCompleted: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  updateAccepted: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  activityScheduled: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  activityStarted: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
  activityCompleted: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
} as const;
const typeOf = (e: HistoryEvent) => e.eventType;

export function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

/**
 * The stages of the `review` update in one grant's history, or null when the history holds no
 * accepted review with the task that carried it.
 */
export function approvalStages(
  events: HistoryEvent[],
  times: ApprovalTimes,
): Record<Stage, number> | null {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const accepted = events.findIndex(
    (e) =>
      typeOf(e) === EVENT.updateAccepted &&
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'review',
  );
  if (accepted < 0) return null;
  const completed = lastBefore(events, accepted, EVENT.wftCompleted);
  const attrs = completed?.workflowTaskCompletedEventAttributes;
  const scheduled = byId.get(Number(attrs?.scheduledEventId));
  const started = byId.get(Number(attrs?.startedEventId));
  if (!completed || !scheduled || !started) return null;
  const record = firstAfter(events, accepted, EVENT.activityScheduled);
  const recordStarted = record && firstAfter(events, events.indexOf(record), EVENT.activityStarted);
  const recordDone =
    recordStarted && firstAfter(events, events.indexOf(recordStarted), EVENT.activityCompleted);
  const after = recordDone && firstAfter(events, events.indexOf(recordDone), EVENT.wftScheduled);
  const afterStarted = after && firstAfter(events, events.indexOf(after), EVENT.wftStarted);
  const afterDone =
    afterStarted && firstAfter(events, events.indexOf(afterStarted), EVENT.wftCompleted);
  const gap = (a?: HistoryEvent, b?: HistoryEvent) => (a && b ? eventMs(b) - eventMs(a) : NaN);
  return {
    toWorkflow: eventMs(scheduled) - times.calledAt,
    queued: gap(scheduled, started),
    workflowTask: gap(started, completed),
    answer: times.answeredAt - eventMs(completed),
    toDecisions: times.allowedAt - times.answeredAt,
    recordQueued: gap(record, recordStarted),
    recordRun: gap(recordStarted, recordDone),
    afterRecordQueued: gap(after, afterStarted),
    afterRecordRun: gap(afterStarted, afterDone),
  };
}

function lastBefore(events: HistoryEvent[], index: number, type: temporal.api.enums.v1.EventType) {
  for (let i = index - 1; i >= 0; i--) if (typeOf(events[i]) === type) return events[i];
  return undefined;
}

function firstAfter(events: HistoryEvent[], index: number, type: temporal.api.enums.v1.EventType) {
  for (let i = index + 1; i < events.length; i++) if (typeOf(events[i]) === type) return events[i];
  return undefined;
}
