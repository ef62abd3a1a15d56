import { Logger } from '@nestjs/common';
import type {
  Consumer,
  ConsumerConfig,
  ConsumerRunConfig,
  EachBatchPayload,
  EachMessagePayload,
  Kafka,
} from 'kafkajs';
import { counter, gauge } from '@lapse/platform';
import { ConsumerLagMonitor } from './lag-monitor';

const restarts = counter(
  'lapse_consumer_restarts_total',
  'Kafka consumers restarted after they stopped or failed to start',
  ['consumer'],
);
const up = gauge('lapse_consumer_up', '1 while a Kafka consumer is running, else 0', ['consumer']);

export type ConsumerHandler =
  | { eachBatch: (payload: EachBatchPayload) => Promise<void> }
  | { eachMessage: (payload: EachMessagePayload) => Promise<void> };

export interface SupervisedConsumerOptions {
  /** For logs, metrics and health, e.g. `usage-consumer`. */
  name: string;
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  consumer?: Omit<ConsumerConfig, 'groupId' | 'retry'>;
  run?: Omit<ConsumerRunConfig, 'eachBatch' | 'eachMessage'>;
  handler: ConsumerHandler;
  /** Restart backoff (ms): doubles from `initialMs` up to `maxMs`. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Publish the group's lag (`lapse_consumer_lag_*`); off where the owner monitors it itself. */
  monitorLag?: boolean;
}

export type ConsumerState = 'starting' | 'running' | 'restarting' | 'stopped';

/**
 * A Kafka consumer that comes back by itself: a failure to connect, or a crash kafkajs does not
 * restart, recreates it after a backoff (counted in `lapse_consumer_restarts_total`), forever,
 * until `stop()`. `state` feeds readiness. Handlers must not throw for a bad record (see
 * RecordPipeline): a throw here means "cannot go on now", and the consumer restarts at the
 * last committed offset.
 */
export class SupervisedConsumer {
  private readonly log: Logger;
  private consumer?: Consumer;
  private stopped = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  state: ConsumerState = 'starting';
  /** When the running consumer last joined its group (epoch ms; 0 before). */
  joinedAt = 0;
  /** Set when the consumer has fetched since it last joined: it sees new records. */
  fetching = false;
  lastError?: string;
  private runningSince = 0;
  private readonly joinListeners: (() => void)[] = [];
  /** The group's lag, watched from outside (committed offsets vs log end). */
  readonly lag?: ConsumerLagMonitor;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: SupervisedConsumerOptions,
  ) {
    this.log = new Logger(opts.name);
    up.set({ consumer: opts.name }, 0);
    if (opts.monitorLag !== false)
      this.lag = new ConsumerLagMonitor(kafka, {
        groupId: opts.groupId,
        topic: opts.topic,
        intervalMs: 5000,
        fromBeginning: opts.fromBeginning,
      });
  }

  get running(): boolean {
    return this.state === 'running';
  }

  onGroupJoin(listener: () => void): void {
    this.joinListeners.push(listener);
  }

  /** Starts the supervision loop (returns at once; see `state`). */
  start(): void {
    if (!this.loop) this.lag?.start();
    this.loop ??= this.supervise();
  }

  private async supervise(): Promise<void> {
    const initial = this.opts.backoff?.initialMs ?? 500;
    const max = this.opts.backoff?.maxMs ?? 30_000;
    let delay = initial;
    while (!this.stopped) {
      const died = new Promise<string>((resolve) => (this.wakeUp = () => resolve('stopped')));
      try {
        const crashed = await this.runOnce();
        const why = await Promise.race([crashed, died]);
        if (this.stopped) break;
        this.lastError = why;
      } catch (err) {
        if (this.stopped) break;
        this.lastError = (err as Error).message;
        this.log.error({ err }, `${this.opts.name} could not start`);
      }
      this.setState('restarting');
      await this.consumer?.disconnect().catch(() => undefined);
      this.consumer = undefined;
      if (this.stopped) break;
      restarts.inc({ consumer: this.opts.name });
      this.log.warn(`${this.opts.name} restarting in ${delay} ms (${this.lastError})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      // Back off while it keeps failing; a consumer that ran a minute starts over.
      const ranFor = this.runningSince > 0 ? Date.now() - this.runningSince : 0;
      delay = ranFor > 60_000 ? initial : Math.min(delay * 2, max);
    }
    await this.consumer?.disconnect().catch(() => undefined);
    this.setState('stopped');
  }

  /** Creates, connects and runs one consumer; resolves with a promise of its crash. */
  private async runOnce(): Promise<Promise<string>> {
    const { name, groupId, topic, fromBeginning } = this.opts;
    const consumer = this.kafka.consumer({
      ...this.opts.consumer,
      groupId,
      // Every failure kafkajs gives up on comes here: one place restarts, with backoff, counted.
      retry: { retries: 5, initialRetryTime: 300, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.fetching = false;
    this.runningSince = 0;
    const crashed = new Promise<string>((resolve) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.log.error({ err: payload.error }, `${name} crashed (restart: ${payload.restart})`);
        if (!payload.restart) resolve(`crashed: ${payload.error.message}`);
      });
      consumer.on(consumer.events.STOP, () => resolve('stopped by kafkajs'));
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joinedAt = Date.now();
      this.runningSince ||= this.joinedAt;
      this.fetching = false;
      this.setState('running');
      for (const l of this.joinListeners) l();
    });
    consumer.on(consumer.events.FETCH, () => (this.fetching = this.joinedAt > 0));
    const unlessStopped = () => {
      if (this.stopped) throw new Error(`${name} stopped while starting`);
    };
    await consumer.connect();
    unlessStopped();
    await consumer.subscribe({ topic, fromBeginning });
    unlessStopped();
    await consumer.run({ ...this.opts.run, ...this.opts.handler });
    this.log.log(`${name} consuming ${topic} as group ${groupId}`);
    return crashed;
  }

  /**
   * Commits the group's offsets on the topic (partition → the next offset to read) through the
   * running consumer: for handlers that run with `autoCommit: false` and commit once their
   * effects are durable. Throws when no consumer runs or the commit fails (a rebalance).
   */
  async commit(offsets: ReadonlyMap<number, number>): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.state !== 'running') throw new Error(`${this.opts.name} is not running`);
    await consumer.commitOffsets(
      [...offsets].map(([partition, offset]) => ({
        topic: this.opts.topic,
        partition,
        offset: String(offset),
      })),
    );
  }

  private setState(state: ConsumerState): void {
    this.state = state;
    up.set({ consumer: this.opts.name }, state === 'running' ? 1 : 0);
  }

  /** Stops for good; the batch in hand finishes and what was resolved is committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.lag?.stop();
    this.wakeUp?.();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.loop;
    this.setState('stopped');
  }

  get isStopping(): boolean {
    return this.stopped;
  }
}
