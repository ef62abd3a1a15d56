import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ACTIVITY_TASK_QUEUES, taskQueue } from '@lapse/contracts';
import { HealthRegistry } from '@lapse/platform';
import { installTemporalJsonLogging } from '@lapse/temporal';
import { ACCESS_TRACKING_CONFIG, type AccessTrackingConfig } from '../config';
import { LastAccessRepository } from '../usage/last-access.repository';
import { createAccessTrackingActivities } from './latest-access.activities';

/** Hosts the `latestAccess` activity on this service's task queue (activities only, no workflows). */
@Injectable()
export class ActivityWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('activity-worker');
  private worker?: Worker;
  private connection?: NativeConnection;
  private run?: Promise<void>;

  constructor(
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly repo: LastAccessRepository,
    private readonly health: HealthRegistry,
  ) {}

  get taskQueue(): string {
    return taskQueue(ACTIVITY_TASK_QUEUES.accessTracking, this.config.LAPSE_TASK_QUEUE_PREFIX);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.LAPSE_ACTIVITY_WORKER_ENABLED) return;
    const level = this.config.LOG_LEVEL;
    installTemporalJsonLogging('access-tracking', level === 'debug' || level === 'trace' ? 'DEBUG' : level === 'info' ? 'INFO' : 'WARN');
    this.connection = await NativeConnection.connect({ address: this.config.TEMPORAL_ADDRESS });
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.config.TEMPORAL_NAMESPACE,
      taskQueue: this.taskQueue,
      activities: createAccessTrackingActivities(this.repo),
    });
    const worker = this.worker;
    this.run = worker.run().catch((err: unknown) => this.log.error({ err }, 'activity worker stopped with an error'));
    this.health.register('activity-worker', async () => {
      if (worker.getState() !== 'RUNNING') throw new Error(`activity worker is ${worker.getState()}`);
    });
    this.log.log(`activity worker polling ${this.taskQueue}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.run;
    await this.connection?.close();
  }
}
