/**
 * A proxy simulator: `npm run simulate -- --users N --resources M --rate R --seconds S`
 * publishes usage events to access.usage.v1 the way access proxies would. A share of users
 * (--idle, default 0.2) never connects, so their grants auto-lock.
 *
 * Grants: by default the simulator also publishes an ACTIVE grants.state.v1 record per pair
 * (--seed-grants on) so a bare stack has grants to track; pass --seed-grants off and --prefix
 * to drive grants that policy created (ids `<prefix>-u<i>` / `<prefix>-r<j>`).
 */
import { Partitioners } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { createKafka, ensureTopics } from '@lapse/kafka';
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
  const kafka = createKafka({ brokers: opts.brokers.split(','), clientId: 'lapse-simulator' });
  await ensureTopics(kafka);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
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
    await publishActiveGrants(
      producer,
      grants,
      { lastAccessAt: new Date().toISOString(), version: 0 },
      5000,
    );
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
