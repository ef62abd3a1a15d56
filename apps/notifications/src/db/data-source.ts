import { serviceDataSourceOptions } from '@lapse/db';
import type { DataSourceOptions } from 'typeorm';
import { DeliveryAttemptEntity, DeliveryEntity } from '../deliveries/delivery.entity';
import { migrations } from './migrations';

export const SCHEMA = 'notifications';

/** This service's tables live in schema `notifications`; `npm run migrate` applies `migrations`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: SCHEMA,
    entities: [DeliveryEntity, DeliveryAttemptEntity],
    migrations,
  });
}
