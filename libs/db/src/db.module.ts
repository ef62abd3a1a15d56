import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { HealthRegistry } from '@lapse/platform';
import type { DataSource, DataSourceOptions } from 'typeorm';

@Injectable()
class DbHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(getDataSourceToken()) private readonly ds: DataSource,
  ) {}
  onModuleInit() {
    this.health.register('postgres', async () => {
      await this.ds.query('SELECT 1');
    });
  }
}

/** TypeORM for one service's schema, with a `postgres` health check. Boot waits for Postgres (up to 5 min, retrying every 2 s) instead of exiting. */
@Module({})
export class DbModule {
  static forRoot(options: DataSourceOptions): DynamicModule {
    return {
      module: DbModule,
      imports: [TypeOrmModule.forRoot({ ...options, retryAttempts: 150, retryDelay: 2000 })],
      providers: [DbHealth],
      exports: [TypeOrmModule],
    };
  }
}
