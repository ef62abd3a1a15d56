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

export interface TemporalSettings {
  address: string;
  namespace: string;
}

export const TEMPORAL_CONNECTION = Symbol('TEMPORAL_CONNECTION');

/** Connects to Temporal (retrying while the server starts). */
export async function connectTemporal(address: string, attempts = 30): Promise<Connection> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await Connection.connect({ address, connectTimeout: '5s' });
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** i, 2000)));
    }
  }
  throw new Error(`cannot reach Temporal at ${address}: ${(lastError as Error)?.message}`);
}

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

/** A Temporal `Client` for the service's namespace, with a `temporal` health check. */
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
            connectTemporal(settings.address, 5).catch(() =>
              Connection.lazy({ address: settings.address, connectTimeout: '5s' }),
            ),
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
