import {
  BeforeApplicationShutdown,
  DynamicModule,
  Injectable,
  Module,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { JsonProducer, KAFKA } from '@lapse/kafka';
import { HealthRegistry, parseAllowHosts } from '@lapse/platform';
import { PolicyClient } from '@lapse/policy-client';
import { temporalSettingsOf } from '@lapse/temporal';
import type { NotificationsConfig } from './config';
import { NOTIFICATIONS_CONFIG } from './config.token';
import { RequestEventsConsumer } from './consumer/request-events.consumer';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveryStore } from './deliveries/delivery.store';
import { createDeliveryActivities } from './deliveries/activities';
import { DeliveryWorker } from './deliveries/delivery-worker';
import { EmailSender, WebhookSender } from './deliveries/senders';
import { DeliveryPlanner } from './planning/delivery-planner';
import { EmailTemplates } from './templates/templates';

/** Starts the worker before the consumer (so started workflows run at once) and stops them first on SIGTERM. */
@Injectable()
export class NotificationsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly worker: DeliveryWorker,
    private readonly consumer: RequestEventsConsumer,
    private readonly email: EmailSender,
    health: HealthRegistry,
  ) {
    health.register('temporal-worker', async () => {
      if (worker.state !== 'RUNNING') throw new Error(`delivery worker is ${worker.state}`);
    });
    health.register('kafka-consumer', async () => {
      if (!consumer.ready)
        throw new Error(`access-requests consumer not ready (${consumer.status})`);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.worker.start();
    this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.worker.stop();
    this.email.close();
  }
}

/** Consumes request events and delivers emails and webhooks; serves the delivery log. */
@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    const retry = {
      initialIntervalMs: config.LAPSE_WEBHOOK_INITIAL_RETRY_MS,
      maxIntervalMs: config.LAPSE_DELIVERY_MAX_RETRY_MS,
      deadlineMs: config.LAPSE_DELIVERY_DEADLINE_MS,
      attemptTimeoutMs: config.LAPSE_DELIVERY_ATTEMPT_TIMEOUT_MS,
    };
    return {
      module: NotificationsModule,
      controllers: [DeliveriesController],
      providers: [
        { provide: NOTIFICATIONS_CONFIG, useValue: config },
        { provide: EmailTemplates, useValue: new EmailTemplates() },
        {
          provide: DeliveryStore,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new DeliveryStore(ds),
        },
        {
          provide: EmailSender,
          useFactory: () =>
            new EmailSender(config.SMTP_URL, config.SMTP_FROM, retry.attemptTimeoutMs),
        },
        {
          provide: WebhookSender,
          useFactory: () =>
            new WebhookSender(
              retry.attemptTimeoutMs,
              parseAllowHosts(config.LAPSE_WEBHOOK_ALLOW_HOSTS),
            ),
        },
        {
          provide: DeliveryPlanner,
          inject: [PolicyClient, EmailTemplates],
          useFactory: (policy: PolicyClient, templates: EmailTemplates) =>
            new DeliveryPlanner(policy, templates, {
              tenant: config.LAPSE_TENANT,
              bases: { publicUrl: config.LAPSE_PUBLIC_URL, consoleUrl: config.LAPSE_CONSOLE_URL },
            }),
        },
        {
          provide: DeliveryWorker,
          inject: [DeliveryStore, EmailSender, WebhookSender],
          useFactory: (store: DeliveryStore, email: EmailSender, webhook: WebhookSender) =>
            new DeliveryWorker({
              temporal: temporalSettingsOf(config),
              taskQueuePrefix: config.LAPSE_TASK_QUEUE_PREFIX,
              activities: createDeliveryActivities({ store, email, webhook }),
            }),
        },
        {
          provide: RequestEventsConsumer,
          inject: [KAFKA, DeliveryPlanner, DeliveryStore, Client, JsonProducer],
          useFactory: (
            kafka: Kafka,
            planner: DeliveryPlanner,
            store: DeliveryStore,
            temporal: Client,
            producer: JsonProducer,
          ) =>
            new RequestEventsConsumer(
              kafka,
              planner,
              store,
              temporal,
              {
                groupId: config.LAPSE_NOTIFICATIONS_GROUP_ID,
                taskQueuePrefix: config.LAPSE_TASK_QUEUE_PREFIX,
                retry,
              },
              producer,
            ),
        },
        NotificationsLifecycle,
      ],
      exports: [DeliveryStore, RequestEventsConsumer],
    };
  }
}
