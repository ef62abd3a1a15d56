import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NativeConnection, Worker } from '@temporalio/worker';
import { installTemporalJsonLogging } from '@lapse/temporal';
import type { DataSource } from 'typeorm';
import { ACTIVITY_TASK_QUEUES, taskQueue } from '@lapse/contracts';
import { JsonProducer, OutboxRelay } from '@lapse/kafka';
import { HealthRegistry } from '@lapse/platform';
import { REQUESTS_CONFIG } from '../config.token';
import type { RequestsConfig } from '../config';
import { SCHEMA } from '../db/data-source';
import { createRequestActivities } from './record-request.activity';
import { RequestStore } from './request.store';

/**
 * Runs what carries request changes out of this service: the Temporal worker hosting
 * `recordRequest` on the (prefixed) `requests` task queue, and the outbox relay that publishes
 * access-requests.v1. Both stop cleanly on shutdown.
 */
@Injectable()
export class RequestsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('requests-worker');
  private readonly relay: OutboxRelay;
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(REQUESTS_CONFIG) private readonly config: RequestsConfig,
    @InjectDataSource() ds: DataSource,
    producer: JsonProducer,
    private readonly store: RequestStore,
    private readonly health: HealthRegistry,
  ) {
    this.relay = new OutboxRelay(ds, SCHEMA, producer);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    if (!this.config.LAPSE_REQUESTS_WORKER_ENABLED) return;
    installTemporalJsonLogging('requests');
    this.connection = await NativeConnection.connect({ address: this.config.TEMPORAL_ADDRESS });
    const queue = taskQueue(ACTIVITY_TASK_QUEUES.requests, this.config.LAPSE_TASK_QUEUE_PREFIX);
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.config.TEMPORAL_NAMESPACE,
      taskQueue: queue,
      activities: createRequestActivities(this.store),
    });
    const worker = this.worker;
    this.running = worker.run().catch((err: unknown) => this.log.error({ err }, 'requests worker stopped with an error'));
    this.health.register('temporal-worker', async () => {
      if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
    });
    this.log.log(`recordRequest activity worker polling ${queue}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.connection?.close();
    await this.relay.stop();
  }
}
