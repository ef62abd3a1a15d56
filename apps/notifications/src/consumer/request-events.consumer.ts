import { Logger } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
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
import { isDataError } from '@lapse/db';
import { JsonProducer, SupervisedConsumer, parseRecord, recordHandler } from '@lapse/kafka';
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
 * offset is committed only once every workflow has started; until then the record is retried
 * in place with backoff. A record that can never be handled goes to access-requests.v1.dlq with
 * the reason; the consumer is restarted with backoff when it stops (rule 15).
 */
export class RequestEventsConsumer {
  private readonly log = new Logger('request-events');
  private readonly consumer: SupervisedConsumer;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly planner: DeliveryPlanner,
    private readonly store: DeliveryStore,
    private readonly temporal: Client,
    private readonly opts: RequestEventsConsumerOptions,
    producer: JsonProducer,
  ) {
    this.consumer = new SupervisedConsumer(kafka, {
      name: 'request-events-consumer',
      groupId: opts.groupId,
      topic: TOPICS.accessRequests,
      fromBeginning: false,
      consumer: { sessionTimeout: 30_000, heartbeatInterval: 3_000 },
      handler: {
        eachMessage: recordHandler({
          name: 'request-events-consumer',
          topic: TOPICS.accessRequests,
          groupId: opts.groupId,
          deadLetterTopic: TOPICS.accessRequestsDlq,
          producer,
          parse: (raw) => {
            const r = parseRecord(accessRequestEventSchema, raw);
            if (!r.ok) handled.inc({ event: 'unknown', result: 'invalid' });
            return r;
          },
          handle: (event) => this.handle(event).then(() => undefined),
          isPermanent: isDataError,
          isStopping: () => this.stopping,
        }),
      },
    });
  }

  /** True once the group is joined and offsets are resolved: records produced from now on are seen. */
  get ready(): boolean {
    return this.consumer.running && this.consumer.fetching;
  }

  /** Why the consumer is not ready, for readiness. */
  get status(): string {
    return `${this.consumer.state}${this.consumer.lastError ? `: ${this.consumer.lastError}` : ''}`;
  }

  start(): void {
    this.consumer.start();
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

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.stop();
  }
}
