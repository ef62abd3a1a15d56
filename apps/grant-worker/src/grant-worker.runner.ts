import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { TOPICS } from '@lapse/contracts';
import { CoalescingSender, JsonProducer } from '@lapse/kafka';
import { HealthRegistry, addMetricsSource, counter } from '@lapse/platform';
import {
  connectTemporalWorker,
  installTemporalJsonLogging,
  readSdkMetrics,
  sdkMetricsAddress,
  temporalSettingsOf,
} from '@lapse/temporal';
import { createGrantStateActivities, createGrantWorker } from '@lapse/grant-runtime';
import type { GrantWorkerConfig } from './config';
import { GRANT_WORKER_CONFIG } from './config.token';
import { grantWorkerTuning } from './worker-tuning';

const published = counter(
  'lapse_grant_state_published_total',
  'Grant states published to grants.state.v1',
);

/**
 * Runs the `accessGrant` Temporal worker inside the Nest app: starts after boot, reports its
 * state in /health, and drains on shutdown (in-flight tasks finish, then the process exits).
 * A fatal worker error stops the process so the supervisor restarts it.
 */
@Injectable()
export class GrantWorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('grant-worker');
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(GRANT_WORKER_CONFIG) private readonly config: GrantWorkerConfig,
    private readonly producer: JsonProducer,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    // The SDK's worker metrics (task schedule-to-start, slots, polls, sticky cache) in /metrics.
    const sdkMetrics = await sdkMetricsAddress(c.LAPSE_GRANT_WORKER_SDK_METRICS_ADDRESS);
    installTemporalJsonLogging('grant-worker', c.LOG_LEVEL, sdkMetrics);
    addMetricsSource('temporal-sdk', () => readSdkMetrics(sdkMetrics));
    this.connection = await connectTemporalWorker(temporalSettingsOf(c));
    // Grant states published together (a burst of starts or locks) share produce requests.
    const sender = new CoalescingSender((topic, records) => this.producer.send(topic, records));
    const activities = createGrantStateActivities({
      publish: async (topic: typeof TOPICS.grantState, key, value) => {
        await sender.send(topic, { key, value });
        published.inc();
      },
    });
    this.worker = await createGrantWorker({
      connection: this.connection,
      namespace: c.TEMPORAL_NAMESPACE,
      activities,
      bundle: c.LAPSE_GRANT_WORKFLOW_BUNDLE,
      taskQueuePrefix: c.LAPSE_TASK_QUEUE_PREFIX,
      workerOptions: grantWorkerTuning(c),
    });
    this.health.register('temporal-worker', async () => {
      const state = this.worker?.getState();
      if (state !== 'RUNNING') throw new Error(`worker is ${state ?? 'not created'}`);
    });
    this.running = this.worker.run().catch((err: unknown) => {
      this.log.error({ err }, 'grant worker failed: exiting');
      process.exit(1);
    });
    this.log.log(`polling task queue ${c.LAPSE_TASK_QUEUE_PREFIX}grants`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.connection?.close();
  }
}
