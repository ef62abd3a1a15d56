/**
 * `npm run migrate [-- --revert <service>]`: applies every service's pending migrations to
 * DATABASE_URL (each service in its own schema) and creates the Kafka topics.
 */
import 'reflect-metadata';
import { loadConfig, commonEnvSchema } from '@lapse/config';
import { migrate, revert } from '@lapse/db';
import { createKafka, ensureTopics, kafkaSettingsOf } from '@lapse/kafka';
import { dataSourceOptions as policy } from '../../apps/policy/src/db/data-source';
import { dataSourceOptions as accessTracking } from '../../apps/access-tracking/src/db/data-source';
import { dataSourceOptions as requests } from '../../apps/requests/src/db/data-source';
import { dataSourceOptions as notifications } from '../../apps/notifications/src/db/data-source';
import { dataSourceOptions as grantWorker } from '../../apps/grant-worker/src/db/data-source';
import { dataSourceOptions as consoleSessions } from '../../apps/console/src/db/data-source';

export const SERVICE_DATA_SOURCES = {
  policy,
  'access-tracking': accessTracking,
  requests,
  notifications,
  'grant-worker': grantWorker,
  console: consoleSessions,
} as const;

async function main() {
  const config = loadConfig(commonEnvSchema);
  const args = process.argv.slice(2);
  const log = (msg: string) => console.log(`[migrate] ${msg}`);
  if (args[0] === '--revert') {
    const service = args[1] as keyof typeof SERVICE_DATA_SOURCES;
    if (!SERVICE_DATA_SOURCES[service])
      throw new Error(`--revert needs a service: ${Object.keys(SERVICE_DATA_SOURCES).join(', ')}`);
    await revert(SERVICE_DATA_SOURCES[service](config.DATABASE_URL));
    log(`reverted the last migration of ${service}`);
    return;
  }
  for (const [service, options] of Object.entries(SERVICE_DATA_SOURCES)) {
    const applied = await migrate(options(config.DATABASE_URL), log);
    log(`${service}: ${applied.length === 0 ? 'up to date' : `${applied.length} applied`}`);
  }
  const created = await ensureTopics(createKafka(kafkaSettingsOf(config, 'lapse-migrate')));
  log(`kafka topics: ${created.length === 0 ? 'all present' : `created ${created.join(', ')}`}`);
}

main().catch((e: unknown) => {
  console.error(`[migrate] failed: ${(e as Error).message}`);
  process.exit(1);
});
