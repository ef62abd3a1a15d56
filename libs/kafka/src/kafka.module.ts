import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { HealthRegistry } from '@lapse/platform';
import { JsonProducer, createKafka, ensureTopics, type KafkaSettings } from './client';

export const KAFKA = Symbol('KAFKA');

@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly producer: JsonProducer,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit() {
    let topicsReady = false;
    let stopped = false;
    // Boot does not wait for Kafka: topics are ensured in the background, retrying with
    // backoff; consumers and producers retry by themselves meanwhile.
    void (async () => {
      for (let delay = 500; !stopped; delay = Math.min(delay * 2, 10_000)) {
        try {
          await ensureTopics(this.kafka);
          topicsReady = true;
          return;
        } catch (err) {
          this.log.warn({ err, msg: `cannot ensure Kafka topics yet; retrying in ${delay} ms` });
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    })();
    let admin: Admin | undefined;
    let connected: Promise<void> | undefined;
    this.health.register('kafka', async () => {
      try {
        admin ??= this.kafka.admin();
        connected ??= admin.connect();
        await connected;
        await admin.describeCluster();
      } catch (err) {
        // Start over next time: a failed connection must not stick (the check recovers by itself).
        const stale = admin;
        admin = undefined;
        connected = undefined;
        void stale?.disconnect().catch(() => undefined);
        throw err;
      }
      if (!topicsReady) throw new Error('topics not ensured yet');
    });
    this.onShutdown = async () => {
      stopped = true;
      if (connected) await admin?.disconnect().catch(() => undefined);
    };
  }

  private readonly log = new Logger('kafka');

  private onShutdown: () => Promise<void> = async () => undefined;

  async onApplicationShutdown() {
    await this.producer.disconnect();
    await this.onShutdown();
  }
}

/** Kafka client + JSON producer, topics ensured on boot, a `kafka` health check. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    const kafka = createKafka(settings);
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA, useValue: kafka },
        { provide: JsonProducer, useFactory: () => new JsonProducer(kafka) },
        KafkaLifecycle,
      ],
      exports: [KAFKA, JsonProducer],
    };
  }
}
