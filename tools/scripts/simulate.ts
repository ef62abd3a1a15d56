/**
 * A proxy simulator: `npm run simulate -- --users N --resources M --rate R --seconds S`
 * publishes usage events to access.usage.v1 the way access proxies would. A share of users
 * (--idle, default 0.2) never connects, so their grants auto-lock.
 *
 * Grants: by default the simulator also publishes an ACTIVE grants.state.v1 record per pair
 * (--seed-grants on) so a bare stack has grants to track; pass --seed-grants off and --prefix
 * to drive grants that policy created (ids `<prefix>-u<i>` / `<prefix>-r<j>`).
 *
 * Kafka principals (`eval "$(npm run -s stack -- env)"` sets them): usage goes out as the proxy
 * (LAPSE_PROXY_KAFKA_*), seeded grants as the grant worker (LAPSE_GRANT_WORKER_KAFKA_*: seeding
 * stands in for it, and the broker takes grant states from no one else), topics are created by
 * the operator (LAPSE_OPS_KAFKA_*).
 */
import { Partitioners } from 'kafkajs';
import { z } from 'zod';
import { TOPICS } from '@lapse/contracts';
import { commonEnvSchema, loadConfig } from '@lapse/config';
import { createKafka, ensureTopics, kafkaSettingsOf } from '@lapse/kafka';
import { parseArgs } from '../../bench/lib/args';
import { grantsFor, publishActiveGrants, publishAtRate } from '../../bench/lib/usage-load';

async function main() {
  const opts = parseArgs(process.argv.slice(2), {
    users: 100,
    resources: 10,
    rate: 1000,
    seconds: 30,
    idle: 0.2,
    prefix: `sim${Date.now().toString(36)}`,
    'seed-grants': true,
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  });
  if (opts.idle < 0 || opts.idle > 1) throw new Error('--idle must be between 0 and 1');
  const optional = z.string().min(1).optional();
  const env = loadConfig(
    // The simulator only publishes to Kafka: no database.
    commonEnvSchema.omit({ DATABASE_URL: true }).extend({
      LAPSE_PROXY_KAFKA_USERNAME: optional,
      LAPSE_PROXY_KAFKA_PASSWORD: optional,
      LAPSE_GRANT_WORKER_KAFKA_USERNAME: optional,
      LAPSE_GRANT_WORKER_KAFKA_PASSWORD: optional,
      LAPSE_OPS_KAFKA_USERNAME: optional,
      LAPSE_OPS_KAFKA_PASSWORD: optional,
    }),
  );
  const as = (username: string | undefined, password: string | undefined, clientId: string) =>
    createKafka(
      kafkaSettingsOf(
        {
          ...env,
          KAFKA_BROKERS: opts.brokers.split(','),
          KAFKA_USERNAME: username,
          KAFKA_PASSWORD: password,
        },
        clientId,
      ),
    );
  await ensureTopics(
    as(env.LAPSE_OPS_KAFKA_USERNAME, env.LAPSE_OPS_KAFKA_PASSWORD, 'lapse-simulator-ops'),
  );
  const producerOptions = { createPartitioner: Partitioners.DefaultPartitioner };
  const producer = as(
    env.LAPSE_PROXY_KAFKA_USERNAME,
    env.LAPSE_PROXY_KAFKA_PASSWORD,
    'lapse-simulator',
  ).producer(producerOptions);
  await producer.connect();

  const grants = grantsFor(opts.prefix, opts.users, opts.resources);
  const idleUsers = Math.round(opts.users * opts.idle);
  const idle = new Set(
    Array.from({ length: idleUsers }, (_, i) => `${opts.prefix}-u${opts.users - 1 - i}`),
  );
  const active = grants.filter((g) => !idle.has(g.userId));
  console.log(
    `simulating ${opts.users} users × ${opts.resources} resources (${grants.length} grants; ${idleUsers} idle users) at ${opts.rate} events/s for ${opts.seconds} s, prefix ${opts.prefix}`,
  );

  if (opts['seed-grants']) {
    const seeder = as(
      env.LAPSE_GRANT_WORKER_KAFKA_USERNAME,
      env.LAPSE_GRANT_WORKER_KAFKA_PASSWORD,
      'lapse-simulator-seed',
    ).producer(producerOptions);
    await seeder.connect();
    await publishActiveGrants(
      seeder,
      grants,
      { lastAccessAt: new Date().toISOString(), version: 0 },
      5000,
    );
    await seeder.disconnect();
    console.log(`seeded ${grants.length} ACTIVE grants on ${TOPICS.grantState}`);
  }

  if (active.length === 0) throw new Error('every user is idle: nothing to publish');
  const started = Date.now();
  const sent = await publishAtRate(producer, active, opts.rate, opts.seconds, (n, ms) =>
    process.stdout.write(
      `\r  ${n} events published, ${Math.round(n / (ms / 1000))}/s, ${Math.round(ms / 1000)}/${opts.seconds} s   `,
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  console.log(
    '\n' +
      JSON.stringify(
        {
          summary: {
            events: sent,
            seconds: Math.round(seconds * 10) / 10,
            eventsPerSecond: Math.round(sent / seconds),
            grants: grants.length,
            activeGrants: active.length,
            idleGrants: grants.length - active.length,
            prefix: opts.prefix,
          },
        },
        null,
        2,
      ),
  );
}

main().catch((e: unknown) => {
  console.error(`simulate failed: ${(e as Error).message}`);
  process.exit(1);
});
