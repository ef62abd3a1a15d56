// @ts-check
// The fault suite's own servers: tools/stack with its own run dir, data dirs and ports, so
// killing them never disturbs the shared stack (5432/9092/7233) other suites and engineers use.
const { spawn, spawnSync } = require('node:child_process');
const { homedir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const cache = process.env.LAPSE_CACHE || join(homedir(), '.cache', 'lapse');
const dir = join(cache, 'faults');

const faultStackEnv = {
  LAPSE_CACHE: cache,
  LAPSE_RUN_DIR: join(dir, 'run'),
  LAPSE_PG_DATA: join(dir, 'pgdata'),
  LAPSE_PG_PORT: process.env.LAPSE_FAULTS_PG_PORT || '25432',
  // Its own service roles' passwords (the same roles as the shared stack).
  LAPSE_PG_SECRETS: join(dir, 'pg-secrets'),
  LAPSE_KAFKA_DATA: join(dir, 'kafka-data'),
  LAPSE_KAFKA_PORT: process.env.LAPSE_FAULTS_KAFKA_PORT || '29092',
  LAPSE_KAFKA_CONTROLLER_PORT: process.env.LAPSE_FAULTS_KAFKA_CONTROLLER_PORT || '29093',
  LAPSE_KAFKA_INTERNAL_PORT: process.env.LAPSE_FAULTS_KAFKA_INTERNAL_PORT || '29094',
  // Its own CA, broker certificate and principals' passwords (same principals and ACLs).
  LAPSE_KAFKA_SECRETS: join(dir, 'kafka-secrets'),
  LAPSE_TEMPORAL_MODE: 'dev',
  LAPSE_TEMPORAL_DB: join(dir, 'temporal.db'),
  LAPSE_TEMPORAL_PORT: process.env.LAPSE_FAULTS_TEMPORAL_PORT || '27233',
  LAPSE_TEMPORAL_UI_PORT: process.env.LAPSE_FAULTS_TEMPORAL_UI_PORT || '28233',
};

/** @returns {NodeJS.ProcessEnv} */
function stackEnv() {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, ...faultStackEnv };
  // The shared stack's settings must not leak in (stack.sh would use that server instead).
  delete env.DATABASE_URL;
  return env;
}

/**
 * Runs `tools/stack/stack.sh <args>` against the fault stack; returns stdout. Blocks the event loop.
 * @param {...string} args
 * @returns {string}
 */
function faultStack(...args) {
  const env = stackEnv();
  const r = spawnSync('bash', [join(root, 'tools', 'stack', 'stack.sh'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`fault stack: stack.sh ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

/**
 * `faultStack` without blocking: what the suite runs while Lapse, the simulated proxy and the
 * watchers keep running in its process (a broker restart takes from 10 s to minutes).
 * @param {...string} args
 * @returns {Promise<void>}
 */
function faultStackAsync(...args) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(root, 'tools', 'stack', 'stack.sh'), ...args], {
      cwd: root,
      env: stackEnv(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(undefined)
        : reject(new Error(`fault stack: stack.sh ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** The apps' settings for the fault stack (what `stack.sh env` prints). */
/** @returns {Record<string, string>} */
function faultStackExports() {
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of faultStack('env').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
  }
  return out;
}

module.exports = { faultStack, faultStackAsync, faultStackEnv, faultStackExports, faultDir: dir };
