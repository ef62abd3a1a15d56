import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { grantServiceRole, serviceRoleRightsOf, withServiceRoleRights } from './service-role';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own Postgres schema: no service reads another's tables. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
  /** Tables the service's role may only append to and read (e.g. the audit log). */
  appendOnlyTables?: readonly string[];
}

/** TypeORM options for one service's schema; migrations only, never `synchronize`. */
export function serviceDataSourceOptions(o: ServiceDataSourceOptions): DataSourceOptions {
  const options: DataSourceOptions = {
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    applicationName: o.applicationName ?? `lapse-${o.schema}`,
    extra: { max: o.poolSize ?? 10 },
  };
  return withServiceRoleRights(options, { appendOnlyTables: o.appendOnlyTables ?? [] });
}

/**
 * Creates the schema if needed, applies pending migrations (one transaction per migration), then
 * grants the service's own role (`lapse_<schema>`) its rights on the schema. Runs as the owner.
 * Used by `npm run migrate` and by integration tests on their own databases.
 */
export async function migrate(
  options: DataSourceOptions,
  log: (msg: string) => void = () => undefined,
): Promise<string[]> {
  const schema = (options as { schema?: string }).schema;
  const ds = new DataSource(options);
  await ds.initialize();
  try {
    if (schema) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied ${schema ?? ''} ${m.name}`);
    if (schema) {
      const role = await grantServiceRole(ds, schema, serviceRoleRightsOf(options));
      if (!role) log(`no role for ${schema}: its service needs the owner's credentials`);
    }
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Reverts the last `count` migrations (down mirrors up). */
export async function revert(options: DataSourceOptions, count = 1): Promise<void> {
  const ds = new DataSource(options);
  await ds.initialize();
  try {
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
