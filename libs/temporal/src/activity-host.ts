import { Logger } from '@nestjs/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { taskQueue } from '@lapse/contracts';
import type { HealthRegistry } from '@lapse/platform';
import { installTemporalJsonLogging } from './runtime-logging';
import {
  connectTemporalWorker,
  temporalSettingsOf,
  type TemporalConfig,
  type TemporalSettings,
} from './connection';

export interface ActivityHostOptions {
  /** The service hosting them (log lines, health check name). */
  service: string;
  /** Where and how to connect (temporalSettingsOf: TLS, mTLS, API key). */
  temporal: TemporalSettings;
  /** The full task queue (prefix included). */
  taskQueue: string;
  activities: object;
  /** The service's LOG_LEVEL, for the Temporal runtime's own logs. */
  logLevel?: string;
  /** Registers a `temporal-worker` health check that fails unless the worker is RUNNING. */
  health?: HealthRegistry;
}

/** The part of every service's config an activity host needs (libs/config common env). */
export interface ActivityHostConfig extends TemporalConfig {
  LAPSE_TASK_QUEUE_PREFIX: string;
  LOG_LEVEL: string;
}

/**
 * A Temporal worker that hosts activities only (the data owner's side of the grant workflow):
 * JSON runtime logs, a health check, and a stop that lets running activities finish.
 */
export class ActivityHost {
  private readonly log: Logger;

  private constructor(
    private readonly connection: NativeConnection,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    service: string,
  ) {
    this.log = new Logger(`${service}.activities`);
  }

  /** Hosts `activities` on the service's queue `queue` (under the config's task-queue prefix). */
  static forService(
    config: ActivityHostConfig,
    o: { service: string; queue: string; activities: object; health?: HealthRegistry },
  ): Promise<ActivityHost> {
    return ActivityHost.start({
      service: o.service,
      temporal: temporalSettingsOf(config),
      taskQueue: taskQueue(o.queue, config.LAPSE_TASK_QUEUE_PREFIX),
      activities: o.activities,
      logLevel: config.LOG_LEVEL,
      health: o.health,
    });
  }

  static async start(o: ActivityHostOptions): Promise<ActivityHost> {
    installTemporalJsonLogging(o.service, o.logLevel);
    const connection = await connectWorker(o.temporal, new Logger(`${o.service}.activities`));
    let worker: Worker;
    try {
      worker = await Worker.create({
        connection,
        namespace: o.temporal.namespace,
        taskQueue: o.taskQueue,
        activities: o.activities,
      });
    } catch (err) {
      await connection.close();
      throw err;
    }
    const log = new Logger(`${o.service}.activities`);
    const running = worker
      .run()
      .catch((err: unknown) =>
        log.error({ err }, `activity worker on ${o.taskQueue} stopped with an error`),
      );
    o.health?.register('temporal-worker', async () => {
      if (worker.getState() !== 'RUNNING')
        throw new Error(`activity worker is ${worker.getState()}`);
    });
    log.log(`activity worker polling ${o.taskQueue}`);
    return new ActivityHost(connection, worker, running, o.service);
  }

  get state(): string {
    return this.worker.getState();
  }

  async stop(): Promise<void> {
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.connection.close();
    this.log.log('activity worker stopped');
  }
}

/** Connects a worker, waiting for Temporal (retrying with backoff, logged) instead of failing boot. */
async function connectWorker(s: TemporalSettings, log: Logger): Promise<NativeConnection> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await connectTemporalWorker(s);
    } catch (err) {
      log.warn({ err, msg: `Temporal at ${s.address} not reachable; retrying in ${delay} ms` });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
