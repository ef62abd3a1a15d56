import { serviceDataSourceOptions } from '@lapse/db';
import type { DataSourceOptions } from 'typeorm';
import { AccessRequestEntity } from '../access-requests/access-request.entity';
import { migrations } from './migrations';

export const SCHEMA = 'requests';

/** This service's tables live in schema `requests`; `npm run migrate` applies `migrations`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: SCHEMA,
    entities: [AccessRequestEntity],
    migrations,
  });
}
