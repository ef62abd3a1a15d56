import { Logger } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Consumer, Kafka } from 'kafkajs';
import {
  TOPICS,
  accessRequestEventSchema,
  taskQueue,
  type AccessRequestEvent,
} from '@lapse/contracts';
import {
  DELIVERY_WORKFLOW_TYPE,
  NOTIFICATIONS_TASK_QUEUE,
  type DeliveryRetryPolicy,
  type deliverNotification,
} from '@lapse/delivery-workflow';
import { counter } from '@lapse/platform';
import type { DeliveryStore } from '../deliveries/delivery.store';
import type { DeliveryPlanner } from '../planning/delivery-planner';

const handled = counter(
  'lapse_notification_events_total',
  'access-requests.v1 records handled, by event and result',
  ['event', 'result'],
);

export interface RequestEventsConsumerOptions {
  groupId: string;
  taskQueuePrefix: string;
  retry: DeliveryRetryPolicy;
}

/**
 * Consumes access-requests.v1: plans the deliveries of each event, records them, and starts one
 * workflow per delivery (id = delivery id, so a redelivered record starts nothing new). The
 * offset is committed only once every workflow has started; until then the record is retried.
 */
export class RequestEventsConsumer {
  private readonly log = new Logger('request-events');
  private readonly consumer: Consumer;
  private joined = false;
  private fetched = false;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly planner: DeliveryPlanner,
    private readonly store: DeliveryStore,
    private readonly temporal: Client,
    private readonly opts: RequestEventsConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.FETCH, () => (this.fetched = this.joined));
  }

  /** True once the group is joined and offsets are resolved: records produced from now on are seen. */
  get ready(): boolean {
    return this.fetched;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.accessRequests, fromBeginning: false });
    await this.consumer.run({
      eachMessage: async ({ message, partition, heartbeat }) => {
        const raw = message.value?.toString('utf8') ?? '';
        const parsed = parse(raw);
        if (!parsed.ok) {
          handled.inc({ event: 'unknown', result: 'invalid' });
          this.log.warn({
            partition,
            offset: message.offset,
            error: parsed.error,
            msg: 'skipping an invalid access-requests record',
          });
          return;
        }
        await this.retryUntilDone(() => this.handle(parsed.event), heartbeat, parsed.event);
      },
    });
  }

  /** Plans, records and starts the deliveries of one event (idempotent: safe to repeat). */
  async handle(event: AccessRequestEvent): Promise<number> {
    const plan = await this.planner.plan(event);
    if (plan.kind === 'skipped') {
      handled.inc({ event: event.event, result: 'skipped' });
      this.log.debug({
        requestId: event.request.id,
        event: event.event,
        reason: plan.reason,
        msg: 'no deliveries',
      });
      return 0;
    }
    const stored = await this.store.createIfAbsent(plan.deliveries);
    let started = 0;
    for (const d of stored.filter((x) => x.status === 'PENDING')) {
      try {
        await this.temporal.workflow.start<typeof deliverNotification>(DELIVERY_WORKFLOW_TYPE, {
          workflowId: d.id,
          taskQueue: taskQueue(NOTIFICATIONS_TASK_QUEUE, this.opts.taskQueuePrefix),
          args: [{ deliveryId: d.id, retry: this.opts.retry }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        started++;
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
    }
    handled.inc({ event: event.event, result: 'planned' });
    this.log.log({
      requestId: event.request.id,
      event: event.event,
      deliveries: stored.length,
      started,
      msg: 'request event handled',
    });
    return started;
  }

  private async retryUntilDone(
    fn: () => Promise<unknown>,
    heartbeat: () => Promise<void>,
    event: AccessRequestEvent,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        if (this.stopping) throw err;
        const waitMs = Math.min(200 * 2 ** (attempt - 1), 10_000);
        this.log.warn({
          err,
          requestId: event.request.id,
          event: event.event,
          attempt,
          retryInMs: waitMs,
          msg: 'handling a request event failed; retrying',
        });
        await new Promise((r) => setTimeout(r, waitMs));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }
}

function parse(
  raw: string,
): { ok: true; event: AccessRequestEvent } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'value is not JSON' };
  }
  const r = accessRequestEventSchema.safeParse(json);
  return r.success
    ? { ok: true, event: r.data }
    : {
        ok: false,
        error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      };
}
