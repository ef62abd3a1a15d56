// @ts-check
// Integration tests need the real servers: fail fast, naming what is missing, instead of
// letting every suite time out. `npm test` starts them (tools/stack/stack.sh up).
const net = require('node:net');

/** @param {string} hostPort */
function reachable(hostPort) {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port), timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

/** Suites that run the real grant workflow share one prebuilt bundle instead of each bundling it. */
function buildGrantWorkflowBundle() {
  const root = join(__dirname, '..', '..', '..');
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', 'tools/scripts/build-workflow-bundle.ts'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error('building the grant workflow bundle failed (see above)');
  process.stdout.write(`\n[global-setup] ${r.stdout.trim()} in ${Date.now() - started} ms\n`);
}

module.exports = async () => {
  if (!process.env.DATABASE_URL)
    throw new Error(
      'DATABASE_URL is not set: run the tests through `npm test`, or eval "$(bash tools/stack/stack.sh env)" first',
    );
  const pg = new URL(process.env.DATABASE_URL);
  const needs = {
    postgres: `${pg.hostname}:${pg.port || 5432}`,
    kafka: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',')[0],
    temporal: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
  };
  const down = [];
  for (const [name, addr] of Object.entries(needs))
    if (!(await reachable(addr))) down.push(`${name} (${addr})`);
  if (down.length) {
    throw new Error(
      `integration tests need running servers; not reachable: ${down.join(', ')}. Run: npm run stack -- up`,
    );
  }
  buildGrantWorkflowBundle();
};
