import { Logger } from '@nestjs/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import {
  connectTemporalWorker,
  installTemporalJsonLogging,
  type TemporalSettings,
} from '@lapse/temporal';
import {
  DELIVERY_WORKFLOWS_PATH,
  NOTIFICATIONS_TASK_QUEUE,
  type DeliveryActivities,
} from '@lapse/delivery-workflow';
import { taskQueue } from '@lapse/contracts';

export interface DeliveryWorkerOptions {
  /** Where and how to connect (temporalSettingsOf: TLS, mTLS, API key). */
  temporal: TemporalSettings;
  taskQueuePrefix: string;
  activities: DeliveryActivities;
}

/** The Temporal worker inside the notifications service: runs delivery workflows and their activities. */
export class DeliveryWorker {
  private readonly log = new Logger('delivery-worker');
  private worker?: Worker;
  private connection?: NativeConnection;
  private running?: Promise<void>;

  constructor(private readonly opts: DeliveryWorkerOptions) {}

  async start(): Promise<void> {
    installTemporalJsonLogging('notifications');
    this.connection = await connectTemporalWorker(this.opts.temporal);
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.opts.temporal.namespace,
      taskQueue: taskQueue(NOTIFICATIONS_TASK_QUEUE, this.opts.taskQueuePrefix),
      workflowsPath: DELIVERY_WORKFLOWS_PATH,
      activities: this.opts.activities,
    });
    this.running = this.worker.run().catch((err: unknown) => {
      this.log.error({ err, msg: 'delivery worker stopped with an error' });
    });
  }

  get state(): string {
    return this.worker?.getState() ?? 'NOT_STARTED';
  }

  async stop(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.connection?.close();
  }
}
