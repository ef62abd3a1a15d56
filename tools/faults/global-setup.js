// @ts-check
// Starts the fault suite's own Postgres, Kafka and Temporal (restarted each run; their data is
// kept, as every run uses its own database, consumer groups, keys and task queues), points the
// suite at them, then does what the integration setup does (bundle, reachability).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { faultStack, faultStackEnv, faultStackExports } = require('./fault-stack');

module.exports = async () => {
  const started = Date.now();
  faultStack('down');
  // Idempotent (under a second once cached): `npm run test:faults` works on its own too.
  faultStack('install', 'postgres', 'kafka', 'temporal');
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
  if (r.status !== 0) throw new Error('preparing the fault stack broker failed');
  process.stdout.write(
    `\n[faults] own servers up in ${Date.now() - started} ms: postgres :${faultStackEnv.LAPSE_PG_PORT}, kafka :${faultStackEnv.LAPSE_KAFKA_PORT}, temporal :${faultStackEnv.LAPSE_TEMPORAL_PORT}\n`,
  );
  await require(join(__dirname, '..', '..', 'libs', 'testing', 'src', 'global-setup.js'))();
};
