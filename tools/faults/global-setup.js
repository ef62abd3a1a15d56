// Starts the fault suite's own Postgres, Kafka and Temporal (restarted each run; their data is
// kept, as every run uses its own database, consumer groups, keys and task queues), points the
// suite at them, then does what the integration setup does (bundle, reachability).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { faultStack, faultStackEnv, faultStackExports } = require('./fault-stack');

/**
 * A fresh broker creates its group-offsets topic on the first group join, which is slow on a
 * busy machine: do it here, before the services' consumers need it.
 */
async function warmGroupCoordinator(brokers) {
  const kafka = new Kafka({ clientId: 'faults-warm-up', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'faults-warm-up', retry: { retries: 30 } });
  await consumer.connect();
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.subscribe({ topic: 'access.usage.v1', fromBeginning: false });
  await consumer.run({ eachMessage: async () => undefined });
  await joined;
  await consumer.disconnect();
}

module.exports = async () => {
  const started = Date.now();
  faultStack('down');
  faultStack('up', 'postgres', 'kafka', 'temporal');
  Object.assign(process.env, faultStackExports());
  const r = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'ensure-topics.ts')],
    {
      cwd: join(__dirname, '..', '..'),
      stdio: 'inherit',
      env: process.env,
    },
  );
  if (r.status !== 0) throw new Error('creating the fault stack topics failed');
  await warmGroupCoordinator(process.env.KAFKA_BROKERS.split(','));
  process.stdout.write(
    `\n[faults] own servers up in ${Date.now() - started} ms: postgres :${faultStackEnv.LAPSE_PG_PORT}, kafka :${faultStackEnv.LAPSE_KAFKA_PORT}, temporal :${faultStackEnv.LAPSE_TEMPORAL_PORT}\n`,
  );
  await require(join(__dirname, '..', '..', 'libs', 'testing', 'src', 'global-setup.js'))();
};
