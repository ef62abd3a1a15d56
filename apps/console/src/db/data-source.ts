import { serviceDataSourceOptions } from '@lapse/db';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

export const SCHEMA = 'console';

/** The console keeps only sessions and sign-ins in progress, in schema `console`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return serviceDataSourceOptions({ url, schema: SCHEMA, entities: [], migrations, poolSize: 5 });
}
