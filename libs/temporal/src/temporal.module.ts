import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { HealthRegistry } from '@lapse/platform';
import { connectTemporal, lazyTemporalConnection, type TemporalSettings } from './connection';

export const TEMPORAL_CONNECTION = Symbol('TEMPORAL_CONNECTION');

@Injectable()
class TemporalHealth implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(TEMPORAL_CONNECTION) private readonly connection: Connection,
    private readonly health: HealthRegistry,
  ) {}
  onModuleInit() {
    this.health.register('temporal', async () => {
      await this.connection.healthService.check({});
    });
  }
  async onApplicationShutdown() {
    await this.connection.close();
  }
}

/**
 * A Temporal `Client` for the service's namespace, with a `temporal` health check; settings from
 * `temporalSettingsOf(config)` (TLS, mTLS, API key).
 */
@Global()
@Module({})
export class TemporalModule {
  static forRoot(settings: TemporalSettings): DynamicModule {
    return {
      module: TemporalModule,
      providers: [
        {
          provide: TEMPORAL_CONNECTION,
          // Boot does not wait for Temporal: after a few tries, a lazy connection that connects
          // (and reconnects) on use; callers answer 503 meanwhile and /health shows it.
          useFactory: () =>
            connectTemporal(settings, 5).catch(() => lazyTemporalConnection(settings)),
        },
        {
          provide: Client,
          inject: [TEMPORAL_CONNECTION],
          useFactory: (connection: Connection) =>
            new Client({ connection, namespace: settings.namespace }),
        },
        TemporalHealth,
      ],
      exports: [Client, TEMPORAL_CONNECTION],
    };
  }
}
