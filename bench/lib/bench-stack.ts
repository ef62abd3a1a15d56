/**
 * The benchmarks' own servers: tools/stack with its own run dir, data dirs and ports, and the
 * Temporal server proper on Postgres (`LAPSE_TEMPORAL_MODE=server`), so a benchmark measures
 * the production engine and never loads or disturbs the shared stack (5432/9092/7233) that
 * suites and engineers use. `ensureBenchStack` is idempotent: it installs what is missing
 * (cached under LAPSE_CACHE), starts what is not running, creates Lapse's topics afresh, builds the
 * grant workflow bundle, and points this process's environment at those servers. The servers
 * keep running after the bench (the next run starts in about a second); stop them with
 * `npm run bench -- stack down`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LapseService, LapseStack } from '@lapse/testing/lapse-stack';
import type { ProcessTarget } from './proc-usage';

const root = join(__dirname, '..', '..');
const cache = process.env.LAPSE_CACHE || join(homedir(), '.cache', 'lapse');
export const benchDir = join(cache, 'bench');

/**
 * tools/stack settings for the bench servers (ports overridable with LAPSE_BENCH_*_PORT). The
 * Temporal server also listens on its port +1, +2, +6, +10 and -300 to -294 (membership), which
 * it stores as a Postgres smallint: its port must stay below 32758.
 */
export const benchStackEnv: Record<string, string> = {
  LAPSE_CACHE: cache,
  LAPSE_RUN_DIR: join(benchDir, 'run'),
  LAPSE_PG_DATA: join(benchDir, 'pgdata'),
  LAPSE_PG_PORT: process.env.LAPSE_BENCH_PG_PORT || '35432',
  LAPSE_PG_SECRETS: join(benchDir, 'pg-secrets'),
  LAPSE_KAFKA_DATA: join(benchDir, 'kafka-data'),
  LAPSE_KAFKA_PORT: process.env.LAPSE_BENCH_KAFKA_PORT || '39092',
  LAPSE_KAFKA_CONTROLLER_PORT: process.env.LAPSE_BENCH_KAFKA_CONTROLLER_PORT || '39093',
  LAPSE_KAFKA_INTERNAL_PORT: process.env.LAPSE_BENCH_KAFKA_INTERNAL_PORT || '39094',
  LAPSE_KAFKA_SECRETS: join(benchDir, 'kafka-secrets'),
  LAPSE_TEMPORAL_MODE: 'server',
  LAPSE_TEMPORAL_STORE: 'postgres',
  LAPSE_TEMPORAL_PORT: process.env.LAPSE_BENCH_TEMPORAL_PORT || '31233',
  LAPSE_TEMPORAL_UI_PORT: process.env.LAPSE_BENCH_TEMPORAL_UI_PORT || '31333',
  LAPSE_TEMPORAL_SHARDS: process.env.LAPSE_BENCH_TEMPORAL_SHARDS || '4',
  /** Its operator may delete Lapse's topics: every run starts on fresh ones. */
  LAPSE_KAFKA_OPS_DELETE_TOPICS: '1',
};

const COMPONENTS = ['postgres', 'kafka', 'temporal'];

function stackProcessEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...benchStackEnv };
  // The shared stack's settings must not leak in (stack.sh would use that server instead).
  delete env.DATABASE_URL;
  return env;
}

/** Runs `tools/stack/stack.sh <args>` on the bench stack; returns stdout (stderr goes to the terminal). */
export function benchStack(...args: string[]): string {
  const r = spawnSync('bash', [join(root, 'tools', 'stack', 'stack.sh'), ...args], {
    cwd: root,
    env: stackProcessEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`bench stack: stack.sh ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

/** The apps' settings for the bench stack (what `stack.sh env` prints), as a map. */
export function benchStackExports(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of benchStack('env').split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
  }
  return out;
}

function runScript(what: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', ...args], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`bench stack: ${what} failed (exit ${r.status})`);
}

/**
 * Installs (idempotent, cached), starts (if not running) and prepares the bench stack, then sets
 * this process's environment to it. Call before any module that reads the stack's env loads.
 */
export function ensureBenchStack(): void {
  const t0 = Date.now();
  console.log(
    `bench stack: postgres :${benchStackEnv.LAPSE_PG_PORT}, kafka :${benchStackEnv.LAPSE_KAFKA_PORT}, temporal server :${benchStackEnv.LAPSE_TEMPORAL_PORT} (run dir ${benchStackEnv.LAPSE_RUN_DIR})`,
  );
  benchStack('install', ...COMPONENTS);
  benchStack('up', ...COMPONENTS);
  // This process, the services it starts and the scripts below all use the bench stack only.
  for (const key of Object.keys(process.env))
    if (key.startsWith('TEMPORAL_TLS') || key === 'TEMPORAL_API_KEY') delete process.env[key];
  Object.assign(process.env, benchStackExports());
  // Fresh topics every run: grants.state.v1 is compacted, so grants of earlier runs (100,000 from
  // each ingest run) would otherwise be read, persisted and swept by every access-tracking a
  // bench starts, and counted in its CPU and start-up.
  runScript('creating topics', join('tools', 'faults', 'ensure-topics.ts'), 'bench', '--fresh');
  runScript(
    'building the grant workflow bundle',
    join('tools', 'scripts', 'build-workflow-bundle.ts'),
  );
  console.log(`bench stack ready in ${Math.round((Date.now() - t0) / 100) / 10} s`);
}

/** The pid of a bench stack server (tools/stack's pid file in its run dir), if it is running. */
export function benchStackPid(server: 'temporal' | 'postgres' | 'kafka'): number | undefined {
  try {
    const pid = Number(readFileSync(join(benchStackEnv.LAPSE_RUN_DIR, `${server}.pid`), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A process a bench watches: a Lapse service of its stack or a bench stack server. */
export type BenchProcess =
  | 'policy'
  | LapseService
  | 'grant-worker'
  | 'temporal-server'
  | 'postgres';

/**
 * The targets for sampleProcesses, by the names results use: the stack's services and grant
 * worker (when they run as processes), the Temporal server, Postgres with its backends (Lapse's
 * and Temporal's databases).
 */
export function benchProcesses(
  s: LapseStack,
  names: BenchProcess[],
): Record<string, ProcessTarget> {
  const target = (name: BenchProcess): ProcessTarget => {
    switch (name) {
      case 'policy':
        return { pid: s.policy.process.pid };
      case 'grant-worker':
        // Its workflow thread (where the grant workflow runs) apart from its main thread.
        return { pid: s.grantWorkerProcess?.process.pid, threads: true };
      case 'temporal-server':
        return { pid: benchStackPid('temporal') };
      case 'postgres':
        return { pid: benchStackPid('postgres'), withChildren: true };
      default:
        return { pid: s.services[name]?.process.pid };
    }
  };
  return Object.fromEntries(names.map((name) => [name, target(name)]));
}

/** "a, b and c". */
const listed = (names: string[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/**
 * The `setup` fields every bench-stack result starts with: the Temporal server it ran on and,
 * given the bench's Lapse stack, which Lapse processes ran.
 */
export function benchStackSetup(s?: LapseStack): { temporal: string; lapse?: string } {
  const temporal = `server mode (Temporal server on Postgres), ${benchStackEnv.LAPSE_TEMPORAL_SHARDS} history shards`;
  if (!s) return { temporal };
  const processes = [
    'policy',
    ...Object.keys(s.services),
    ...(s.grantWorkerProcess ? ['the grant worker'] : []),
  ];
  const grantWorker = s.grantWorkerProcess ? '' : ', the grant worker in the bench process';
  return {
    temporal,
    lapse: `${listed(processes)} as child processes (bench stack)${grantWorker}`,
  };
}

/**
 * Writes what each process of the stack printed (JSON log lines, LOG_LEVEL warn unless set) to
 * `<run dir>/logs/bench-<bench>-<service>.log`, for finding where the time went; returns their
 * path pattern.
 */
export function saveStackLogs(bench: string, s: LapseStack): string {
  const dir = join(benchStackEnv.LAPSE_RUN_DIR, 'logs');
  mkdirSync(dir, { recursive: true });
  const services = { policy: s.policy, ...s.services, 'grant-worker': s.grantWorkerProcess };
  for (const [name, service] of Object.entries(services))
    if (service) writeFileSync(join(dir, `bench-${bench}-${name}.log`), service.output());
  return join(dir, `bench-${bench}-*.log`);
}
