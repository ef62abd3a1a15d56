import { serviceDataSourceOptions } from '@lapse/db';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

export const SCHEMA = 'access_tracking';

/** This service's tables live in schema `access_tracking`; `npm run migrate` applies `migrations`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return serviceDataSourceOptions({ url, schema: SCHEMA, entities: [], migrations });
}
