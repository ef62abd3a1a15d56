import { serviceDataSourceOptions } from '@lapse/db';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

export const SCHEMA = 'grant_worker';

/** This service's tables live in schema `grant_worker`; `npm run migrate` applies `migrations`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return serviceDataSourceOptions({ url, schema: SCHEMA, entities: [], migrations });
}
