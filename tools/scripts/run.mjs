#!/usr/bin/env node
// @ts-check
// `npm start` and `npm test` on a fresh clone: install what is missing, bring up the real
// servers (tools/stack), then run the apps or the tests. Plain Node, no dependencies: it runs
// before node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as crypto from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.LAPSE_CACHE ?? join(homedir(), '.cache', 'lapse');
const runDir = process.env.LAPSE_RUN_DIR ?? join(cache, 'run');
const t0 = Date.now();
/** @param {string} msg */
const say = (msg) =>
  console.log(`[lapse ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

/** @typedef {{ name: string; port: number; docs: boolean; page?: string }} App */

/** @type {App[]} */
export const APPS = [
  { name: 'console', port: 3000, docs: false, page: '/' },
  { name: 'policy', port: 3001, docs: true },
  { name: 'access-tracking', port: 3002, docs: true },
  { name: 'requests', port: 3003, docs: true },
  { name: 'notifications', port: 3004, docs: true },
  { name: 'grant-worker', port: 3005, docs: false },
];

/**
 * Runs `cmd` to its end; throws on a non-zero exit unless `opts.allowFail`.
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions & { allowFail?: boolean }} [opts]
 * @returns {number}
 */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  }
  return r.status ?? 1;
}

function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker)) return;
  // npm install, not npm ci: see .ci/run (it follows package-lock.json all the same).
  say('installing npm dependencies (npm install, from package-lock.json)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

/** Installs and starts the servers; returns the env the apps and tests use. */
function stackUp() {
  say('provisioning servers (postgres, kafka, temporal, test server) — cached after the first run');
  run('bash', ['tools/stack/stack.sh', 'install']);
  run('bash', ['tools/stack/stack.sh', 'up']);
  const out = spawnSync('bash', ['tools/stack/stack.sh', 'env'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`stack.sh env failed: ${out.stderr}`);
  for (const line of out.stdout.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]] ??= m[2].replace(/^['"]|['"]$/g, '');
  }
}

function stackDown() {
  run('bash', ['tools/stack/stack.sh', 'down'], { allowFail: true });
}

/** Whether any local server is up already (then it is not ours to stop). */
function stackAlreadyRunning() {
  const out = spawnSync('bash', ['tools/stack/stack.sh', 'status'], {
    cwd: root,
    encoding: 'utf8',
  }).stdout;
  return /running/.test(out ?? '');
}

/** Stops the servers at the end, unless they were up before this command or LAPSE_KEEP_STACK=1. */
/** @param {boolean} wasRunning */
function stackDownIfOurs(wasRunning) {
  if (wasRunning || process.env.LAPSE_KEEP_STACK === '1') {
    say('leaving the servers running (they were up before this command, or LAPSE_KEEP_STACK=1)');
    return;
  }
  say('stopping servers…');
  stackDown();
}

/**
 * Development secrets kept outside the repo (production passes its own): the JWT, service and
 * session keys, the console's client secret at the development OpenID provider, and the
 * development sign-in password every user signs in with there.
 */
function ensureDevSecrets() {
  /** @type {[string, string, () => string][]} */
  const secrets = [
    ['LAPSE_JWT_SECRET', 'dev-jwt-secret', hexSecret],
    ['LAPSE_SERVICE_SECRET', 'dev-service-secret', hexSecret],
    ['LAPSE_SESSION_SECRET', 'dev-session-secret', hexSecret],
    ['LAPSE_DEV_OIDC_CLIENT_SECRET', 'dev-oidc-client-secret', hexSecret],
    ['LAPSE_DEV_SIGNIN_PASSWORD', 'dev-signin-password', readablePassword],
  ];
  for (const [name, file, make] of secrets) {
    if (process.env[name] || (name === 'LAPSE_JWT_SECRET' && process.env.LAPSE_JWKS_URL)) continue;
    const path = join(cache, file);
    // Keys are 32 random bytes, hex; an older, shorter key is replaced (services refuse < 32 bytes).
    const short =
      make === hexSecret && existsSync(path) && readFileSync(path, 'utf8').trim().length < 64;
    if (!existsSync(path) || short) {
      mkdirSync(cache, { recursive: true });
      writeFileSync(path, make(), { mode: 0o600 });
    }
    process.env[name] = readFileSync(path, 'utf8').trim();
  }
}

const hexSecret = () => crypto.randomBytes(32).toString('hex');
/** Easy to type: four groups of four letters and digits (about 80 bits). */
const readablePassword = () => {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const chars = [...crypto.randomBytes(16)].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
};

/**
 * The development OpenID provider (tools/oidc), unless LAPSE_OIDC_ISSUER names a real one: the
 * console signs people in there with their email and the development password.
 */
/** @param {import('node:child_process').ChildProcess[]} children */
function startDevOidc(children) {
  if (process.env.LAPSE_OIDC_ISSUER) return null;
  const port = Number(process.env.LAPSE_OIDC_DEV_PORT ?? 3009);
  const issuer = `http://127.0.0.1:${port}`;
  const consoleUrl = process.env.LAPSE_CONSOLE_URL ?? 'http://127.0.0.1:3000';
  const log = openSync(join(runDir, 'logs', 'dev-oidc.log'), 'a');
  const child = spawn('node', ['tools/oidc/dev-provider.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      LAPSE_CACHE: cache,
      LAPSE_OIDC_DEV_PORT: String(port),
      LAPSE_OIDC_CLIENT_ID: 'lapse-console',
      LAPSE_OIDC_CLIENT_SECRET: process.env.LAPSE_DEV_OIDC_CLIENT_SECRET,
      LAPSE_OIDC_REDIRECT_URIS: new URL('/auth/callback', consoleUrl).href,
      LAPSE_POLICY_URL: process.env.LAPSE_POLICY_URL ?? 'http://127.0.0.1:3001',
    },
    stdio: ['ignore', log, log],
  });
  children.push(child);
  process.env.LAPSE_OIDC_ISSUER = issuer;
  process.env.LAPSE_OIDC_CLIENT_ID = 'lapse-console';
  process.env.LAPSE_OIDC_CLIENT_SECRET = process.env.LAPSE_DEV_OIDC_CLIENT_SECRET;
  // The console reads the provider's metadata on first sign-in, not at boot: both start together.
  return { issuer, ready: () => waitHealthy({ name: 'dev-oidc', port }, child) };
}

const tsNode = ['-r', 'reflect-metadata', '-r', '@swc-node/register'];

/**
 * The Kafka credentials of `principal` as a client reads them (KAFKA_USERNAME/PASSWORD), from
 * the per-principal settings `stack.sh env` prints (LAPSE_<PRINCIPAL>_KAFKA_*): each app reaches
 * the broker as itself, the topics are created by the operator.
 * @param {string} principal
 */
function kafkaCredentials(principal) {
  const name = principal.toUpperCase().replace(/-/g, '_');
  const username = process.env[`LAPSE_${name}_KAFKA_USERNAME`];
  const password = process.env[`LAPSE_${name}_KAFKA_PASSWORD`];
  return username && password ? { KAFKA_USERNAME: username, KAFKA_PASSWORD: password } : {};
}

/**
 * The database URL of `app`'s own role (LAPSE_<APP>_DATABASE_URL from `stack.sh env`): rights on
 * its own schema only; DATABASE_URL (the owner) is for the migrations and tools.
 * @param {string} app
 */
function databaseCredentials(app) {
  const url = process.env[`LAPSE_${app.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`];
  return url ? { DATABASE_URL: url } : {};
}

function migrate() {
  say('migrating every service schema and creating topics');
  run('node', [...tsNode, 'tools/scripts/migrate.ts'], {
    env: { ...process.env, ...kafkaCredentials('ops') },
  });
}

/**
 * @param {{ name: string; port: number }} app
 * @param {import('node:child_process').ChildProcess} child
 */
async function waitHealthy(app, child, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `${app.name} exited with ${child.exitCode}; see ${join(runDir, 'logs', `${app.name}.log`)}`,
      );
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `${app.name} not ready after ${timeoutMs / 1000}s; see ${join(runDir, 'logs', `${app.name}.log`)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Whether something answers on 127.0.0.1:port (another Lapse, or anything else). */
/**
 * @param {number} port
 * @returns {Promise<boolean>}
 */
async function portInUse(port) {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * One `npm start` at a time: a second one says so and exits, before it starts anything (else it
 * half-starts on EADDRINUSE and takes the other instance's health answers for its own apps').
 */
async function claimStart() {
  const pidFile = join(runDir, 'npm-start.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive) {
      console.error(
        `npm start is already running (pid ${pid}): use that one, or stop it (Ctrl-C there) first.`,
      );
      process.exit(1);
    }
  }
  const busy = [];
  for (const a of APPS) if (await portInUse(a.port)) busy.push(`${a.name} :${a.port}`);
  if (busy.length > 0) {
    console.error(
      `cannot start: these ports are already in use (another Lapse running?): ${busy.join(', ')}`,
    );
    process.exit(1);
  }
  mkdirSync(runDir, { recursive: true });
  writeFileSync(pidFile, String(process.pid));
  process.on('exit', () => {
    try {
      if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile);
    } catch {
      // already gone
    }
  });
}

async function start() {
  await claimStart();
  ensureDependencies();
  ensureDevSecrets();
  process.env.LAPSE_BOOTSTRAP_ADMIN_EMAIL ??= 'admin@lapse.local';
  // Forward-auth: a proxy on this machine (e.g. oauth2-proxy behind nginx) names the user.
  process.env.LAPSE_AUTHZ_TRUSTED_PROXIES ??= '127.0.0.1/32';
  process.env.LAPSE_AUTHZ_TRUSTED_HEADER ??= 'X-Auth-Request-Email';
  // Webhooks to a receiver on this machine (a demo, the console's test send); other internal
  // targets stay refused.
  process.env.LAPSE_WEBHOOK_ALLOW_HOSTS ??= '127.0.0.1';
  const wasRunning = stackAlreadyRunning();
  stackUp();
  migrate();
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  let stopping = false;
  /** @param {number} code */
  const stopAll = async (code) => {
    // Already stopping: wait for that to end the process (never carry on as if up).
    if (stopping) return new Promise(() => {});
    stopping = true;
    say('stopping apps…');
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))),
    );
    stackDownIfOurs(wasRunning);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  // The local mail sink: notifications' default SMTP_URL points at it.
  const mailUiPort = process.env.LAPSE_MAIL_UI_PORT ?? '8025';
  process.env.LAPSE_MAIL_UI_URL = `http://127.0.0.1:${mailUiPort}`;
  const sinkLog = openSync(join(runDir, 'logs', 'mail-sink.log'), 'a');
  const sink = spawn('node', [...tsNode, 'tools/mail-sink/mail-sink.ts'], {
    cwd: root,
    env: { ...process.env, LAPSE_MAIL_UI_PORT: mailUiPort },
    stdio: ['ignore', sinkLog, sinkLog],
  });
  children.push(sink);

  const devOidc = startDevOidc(children);
  const devIssuer = devOidc?.issuer ?? null;

  for (const app of APPS) {
    const log = openSync(join(runDir, 'logs', `${app.name}.log`), 'a');
    const child = spawn('node', [...tsNode, `apps/${app.name}/src/main.ts`], {
      cwd: root,
      env: {
        ...process.env,
        ...kafkaCredentials(app.name),
        ...databaseCredentials(app.name),
        PORT: String(app.port),
        NODE_ENV: process.env.NODE_ENV ?? 'development',
      },
      stdio: ['ignore', log, log],
    });
    children.push(child);
    child.once('exit', (code) => {
      if (!stopping) {
        say(
          `${app.name} exited unexpectedly (${code}); see ${join(runDir, 'logs', `${app.name}.log`)}`,
        );
        void stopAll(1);
      }
    });
  }
  say('starting apps: ' + APPS.map((a) => a.name).join(', '));
  try {
    const appChildren = children.slice(-APPS.length);
    await Promise.all([
      ...APPS.map((a, i) => waitHealthy(a, appChildren[i]).then(() => say(`${a.name} healthy`))),
      devOidc?.ready().then(() => say('dev OpenID provider ready')),
    ]);
  } catch (e) {
    say(e instanceof Error ? e.message : String(e));
    await stopAll(1);
  }
  const token = spawnSync(
    'node',
    [...tsNode, 'tools/scripts/token.ts', process.env.LAPSE_BOOTSTRAP_ADMIN_EMAIL],
    {
      cwd: root,
      encoding: 'utf8',
      env: process.env,
    },
  );
  console.log('\nLapse is up.\n');
  const consoleApp = /** @type {App} */ (APPS.find((a) => a.name === 'console'));
  console.log(
    `  ${'console'.padEnd(16)} http://127.0.0.1:${consoleApp.port}/  — sign in with a Lapse user's email (e.g. ${process.env.LAPSE_BOOTSTRAP_ADMIN_EMAIL})`,
  );
  if (devIssuer) {
    console.log(`  ${'dev sign-in password:'.padEnd(16)} ${process.env.LAPSE_DEV_SIGNIN_PASSWORD}`);
    console.log(`  ${'dev identity provider'.padEnd(16)} ${devIssuer}`);
  } else {
    console.log(`  ${'identity provider'.padEnd(16)} ${process.env.LAPSE_OIDC_ISSUER}`);
  }
  for (const a of APPS.filter((x) => x !== consoleApp)) {
    console.log(`  ${a.name.padEnd(16)} http://127.0.0.1:${a.port}${a.docs ? '/docs' : '/health'}`);
  }
  console.log(
    `  ${'temporal ui'.padEnd(16)} ${process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233'}`,
  );
  if (process.env.LAPSE_MAIL_UI_URL)
    console.log(`  ${'mail sink'.padEnd(16)} ${process.env.LAPSE_MAIL_UI_URL}`);
  console.log(`  ${'logs'.padEnd(16)} ${join(runDir, 'logs')}`);
  if (token.status === 0) {
    console.log(
      `\n  admin token (${process.env.LAPSE_BOOTSTRAP_ADMIN_EMAIL}):\n  ${token.stdout.trim()}\n`,
    );
  } else {
    console.log(`\n  (no admin token: ${token.stderr.trim().split('\n').pop()})\n`);
  }
  say(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s — Ctrl-C stops what this command started`);
}

/** @param {string} file */
function jestSummary(file) {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
    total: r.numTotalTests,
  };
}

/** The suites of the serial set (LAPSE_INTEGRATION_SET=serial), as jest lists them. */
function serialSuites() {
  const out = spawnSync(
    'npx',
    ['jest', '-c', 'jest.integration.config.js', '--listTests', '--json'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LAPSE_INTEGRATION_SET: 'serial' },
    },
  );
  if (out.status !== 0) throw new Error(`jest --listTests failed: ${out.stderr}`);
  return /** @type {string[]} */ (JSON.parse(out.stdout)).sort();
}

async function test() {
  ensureDependencies();
  ensureDevSecrets();
  const results = join(root, 'test-output');
  mkdirSync(results, { recursive: true });
  const resultFiles = ['unit.json', 'integration.json', 'faults.json'];
  // A step that dies before writing its results must count as failed, not reuse an old file.
  for (const f of readdirSync(results))
    if (f.endsWith('.json')) rmSync(join(results, f), { force: true });
  const wasRunning = stackAlreadyRunning();
  stackUp();
  say(
    'Temporal server proper for the mTLS suite (go install; cached after the first run, ~9 min cold)',
  );
  run('bash', ['tools/stack/stack.sh', 'install', 'temporal-server']);
  say('browser for the page tests (Debian chromium; cached after the first run)');
  run('bash', ['tools/browser/install-chromium.sh']);
  say(
    'reverse proxies for the forward-auth tests (Debian nginx and caddy; cached after the first run)',
  );
  run('bash', ['tools/proxies/install-proxies.sh']);
  say('SCIM compliance checker (scim2-tester from PyPI, in a venv; cached after the first run)');
  run('bash', ['tools/scim-tester/install.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });
  say('OpenAPI fuzzer (schemathesis from PyPI, in a venv; cached after the first run)');
  run('bash', ['tools/openapi-fuzz/install.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.env.NX_DAEMON = 'false';
  process.env.NX_NO_CLOUD = 'true';
  /** @type {string[]} */
  const failures = [];
  /**
   * @param {string} name
   * @param {string} cmd
   * @param {string[]} args
   */
  const step = (name, cmd, args) => {
    say(`${name}…`);
    const started = Date.now();
    const code = run(cmd, args, { allowFail: true });
    say(
      `${name}: ${code === 0 ? 'ok' : `FAILED (${code})`} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    if (code !== 0) failures.push(name);
  };
  try {
    step('project graph', 'npx', ['nx', 'show', 'projects', '--json']);
    step('format (prettier --check)', 'npx', ['prettier', '--check', '--log-level=warn', '.']);
    step('lint', 'npx', ['eslint', '--max-warnings=0', '.']);
    step('docs (every path and identifier named in docs/ exists)', 'node', [
      ...tsNode,
      'tools/scripts/check-docs.ts',
    ]);
    step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    step('typecheck scripts (run.mjs and the other JavaScript, // @ts-check)', 'npx', [
      'tsc',
      '-p',
      'tsconfig.scripts.json',
    ]);
    step('alert rules (promtool check rules + test rules)', 'bash', [
      'tools/prometheus/check-alerts.sh',
    ]);
    step('unit tests', 'npx', [
      'jest',
      '-c',
      'jest.unit.config.js',
      '--json',
      `--outputFile=${join(results, 'unit.json')}`,
    ]);
    process.env.LAPSE_INTEGRATION_SET = 'parallel';
    step('integration tests', 'npx', [
      'jest',
      '-c',
      'jest.integration.config.js',
      '--json',
      `--outputFile=${join(results, 'integration.json')}`,
    ]);
    // The load-sensitive suites, one at a time, each in a process of its own: run in band in one
    // process, whatever a suite leaves running (a client still reconnecting after its app closed)
    // would slow or break the next one. --forceExit: such a leftover must not hang the run (jest
    // still prints "did not exit" for it).
    process.env.LAPSE_INTEGRATION_SET = 'serial';
    for (const [i, suite] of serialSuites().entries()) {
      const file = `integration-serial-${i + 1}.json`;
      resultFiles.push(file);
      step(`integration tests (serial, alone: ${relative(root, suite)})`, 'npx', [
        'jest',
        '-c',
        'jest.integration.config.js',
        '--forceExit',
        '--json',
        `--outputFile=${join(results, file)}`,
        suite,
      ]);
    }
    // Last, alone: it kills servers, so it runs on its own (ports 25432/29092/27233, started and
    // stopped by its globalSetup/teardown through tools/stack), never the shared ones above.
    step(
      'fault suite (Kafka, Postgres, Temporal and services killed on servers of its own)',
      'npx',
      [
        'jest',
        '-c',
        'jest.faults.config.js',
        '--json',
        `--outputFile=${join(results, 'faults.json')}`,
      ],
    );
  } finally {
    stackDownIfOurs(wasRunning);
  }
  let passed = 0;
  let failed = 0;
  for (const f of resultFiles) {
    const s = jestSummary(join(results, f));
    if (s) {
      passed += s.passed;
      failed += s.failed;
    } else {
      failed += 1;
    }
  }
  if (failures.length) say(`failed steps: ${failures.join(', ')}`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(failures.length === 0 && failed === 0 ? 0 : 1);
}

const command = process.argv[2];
/** @type {Record<string, () => unknown>} */
const commands = { start, test, migrate: () => (ensureDependencies(), stackUp(), migrate()) };
if (!commands[command]) {
  console.error(`usage: run.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
Promise.resolve(commands[command]()).catch((e) => {
  console.error(`[lapse] ${e.message}`);
  process.exit(1);
});
