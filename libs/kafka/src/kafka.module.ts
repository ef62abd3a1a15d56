import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
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

  async onModuleInit() {
    await ensureTopics(this.kafka);
    const admin = this.kafka.admin();
    let connected: Promise<void> | undefined;
    this.health.register('kafka', async () => {
      connected ??= admin.connect();
      await connected;
      await admin.describeCluster();
    });
    this.onShutdown = async () => {
      if (connected) await admin.disconnect();
    };
  }

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
