import { serviceDataSourceOptions } from '@lapse/db';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

export const SCHEMA = 'policy';

/**
 * This service's tables live in schema `policy`; `npm run migrate` applies `migrations`.
 * Repositories use SQL through the DataSource (keyset paging, streaming, SKIP LOCKED), so no entities.
 */
export function dataSourceOptions(url: string): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: SCHEMA,
    entities: [],
    migrations,
    // The policy service appends to the audit log and reads it; nobody changes it.
    appendOnlyTables: ['audit_log'],
  });
}
