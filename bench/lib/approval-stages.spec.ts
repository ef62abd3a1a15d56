import { temporal } from '@temporalio/proto';
import { approvalStages } from './approval-stages';

const T = temporal.api.enums.v1.EventType;
const BASE_S = 1_764_558_000; // a whole second; events below are ms after it

/** A history event `ms` after BASE_S. */
function ev(
  eventId: number,
  eventType: temporal.api.enums.v1.EventType,
  ms: number,
  attrs: Record<string, unknown> = {},
): temporal.api.history.v1.IHistoryEvent {
  // fromObject: plain numbers where the proto has int64 (Long) fields.
  return temporal.api.history.v1.HistoryEvent.fromObject({
    eventId,
    eventType,
    eventTime: { seconds: BASE_S + Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
    ...attrs,
  });
}
const completed = (id: number, ms: number, scheduledEventId: number, startedEventId: number) =>
  ev(id, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, ms, {
    workflowTaskCompletedEventAttributes: { scheduledEventId, startedEventId },
  });
const accepted = (id: number, ms: number, name: string) =>
  ev(id, T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, ms, {
    workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name } } },
  });

/** A grant that took a submitRequest, then the review (times in ms after BASE_S). */
const history = [
  ev(1, T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0),
  ev(2, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),
  ev(3, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 5),
  completed(4, 10, 2, 3),
  accepted(5, 10, 'submitRequest'),
  ev(6, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 10_000), // the review's task
  ev(7, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 12_000),
  completed(8, 12_150, 6, 7),
  accepted(9, 12_150, 'review'),
  ev(10, T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 12_150),
  ev(11, T.EVENT_TYPE_ACTIVITY_TASK_STARTED, 12_250),
  ev(12, T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 12_400),
  ev(13, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 12_400),
  ev(14, T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 15_400),
  completed(15, 15_460, 13, 14),
];
const at = (ms: number) => BASE_S * 1000 + ms;

describe('approvalStages', () => {
  it('splits the approval at the review task and the record after it', () => {
    const stages = approvalStages(history, {
      calledAt: at(9_900),
      answeredAt: at(12_200),
      allowedAt: at(12_230),
    });
    expect(stages).toEqual({
      toWorkflow: 100,
      queued: 2_000,
      workflowTask: 150,
      answer: 50,
      toDecisions: 30,
      recordQueued: 100,
      recordRun: 150,
      afterRecordQueued: 3_000,
      afterRecordRun: 60,
    });
  });

  it('is null for a history without an accepted review', () => {
    expect(
      approvalStages(history.slice(0, 8), { calledAt: 0, answeredAt: 0, allowedAt: 0 }),
    ).toBeNull();
  });

  it('leaves the stages after the call unknown while the record has not run', () => {
    const stages = approvalStages(history.slice(0, 11), {
      calledAt: at(9_900),
      answeredAt: at(12_200),
      allowedAt: at(12_230),
    });
    expect(stages?.queued).toBe(2_000);
    expect(stages?.recordRun).toBeNaN();
    expect(stages?.afterRecordQueued).toBeNaN();
  });
});
