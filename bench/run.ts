/**
 * `npm run bench -- <name> [options]`: runs one benchmark and writes its JSON to bench/results/.
 * Benches on the shared stack (`npm run stack -- up`) read its settings (Kafka principals, CA,
 * database) from `tools/stack/stack.sh env` before any bench module loads, so they work in any
 * shell; a variable already set in the environment wins. Benches on the bench stack (the
 * Temporal server proper on Postgres, servers of their own: bench/lib/bench-stack.ts) install
 * and start it first, idempotently, and use nothing else. `npm run bench -- stack down|status`
 * stops or shows the bench stack; `stack reset` stops it and empties its servers' data (every
 * earlier run's workflows and records). One run at a time has the bench stack
 * (bench/lib/bench-lock.ts): a bench on it, `stack down` and `stack reset` wait for the run
 * before them, naming it.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { lockHolder, releaseOnSignals, takeBenchLock } from './lib/bench-lock';
import { benchDir, benchStack, benchStackEnv, ensureBenchStack } from './lib/bench-stack';

type Bench = (argv: string[]) => Promise<void>;
interface BenchEntry {
  load: () => Bench;
  /** shared: the running shared stack; bench: the bench stack (server mode), ensured first. */
  stack: 'shared' | 'bench';
}
const BENCHES: Record<string, BenchEntry> = {
  approvals: {
    load: () => (require('./approvals') as typeof import('./approvals')).runApprovalsBench,
    stack: 'bench',
  },
  // 10,000 grant workflows by default (the identity mix): on the bench stack.
  authz: {
    load: () => (require('./authz') as typeof import('./authz')).runAuthzBench,
    stack: 'bench',
  },
  decisions: {
    load: () => (require('./decisions') as typeof import('./decisions')).runDecisionsBench,
    stack: 'bench',
  },
  fanout: {
    load: () => (require('./fanout') as typeof import('./fanout')).runFanoutBench,
    stack: 'bench',
  },
  ingest: {
    load: () => (require('./ingest') as typeof import('./ingest')).runIngestBench,
    stack: 'bench',
  },
  live: {
    load: () => (require('./live') as typeof import('./live')).runLiveBench,
    stack: 'bench',
  },
  lockstorm: {
    load: () => (require('./lockstorm') as typeof import('./lockstorm')).runLockstormBench,
    stack: 'bench',
  },
  regrant: {
    load: () => (require('./regrant') as typeof import('./regrant')).runRegrantBench,
    stack: 'shared',
  },
  workday: {
    load: () => (require('./workday') as typeof import('./workday')).runWorkdayBench,
    stack: 'shared',
  },
};

function loadStackEnv(): void {
  const root = join(__dirname, '..');
  const out = spawnSync('bash', ['tools/stack/stack.sh', 'env'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`tools/stack/stack.sh env failed: ${out.stderr}`);
  for (const line of out.stdout.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]] ??= m[2].replace(/^['"]|['"]$/g, '');
  }
}

/** Waits for the bench stack, and has it until this process exits or is stopped. */
async function lockBenchStack(what: string): Promise<void> {
  const lock = await takeBenchLock(join(benchDir, 'bench.lock'), what);
  releaseOnSignals(lock);
}

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const stackCommand = name === 'stack' && rest.length === 1 ? rest[0] : undefined;
  if (stackCommand === 'down' || stackCommand === 'status' || stackCommand === 'reset') {
    if (stackCommand !== 'status') await lockBenchStack(`stack ${stackCommand}`);
    process.stdout.write(benchStack(stackCommand === 'status' ? 'status' : 'down'));
    if (stackCommand === 'reset') {
      // Every earlier run's workflows live in Temporal's databases (their timers still fire and
      // their tasks wait on dead queues), its topics' data in Kafka's: a reset starts the next
      // run from empty servers (a cold start, ~30 s). Secrets and installed servers are kept.
      for (const dir of [benchStackEnv.LAPSE_PG_DATA, benchStackEnv.LAPSE_KAFKA_DATA]) {
        rmSync(dir, { recursive: true, force: true });
        console.log(`bench stack: removed ${dir}`);
      }
    }
    if (stackCommand === 'status') {
      const holder = lockHolder(join(benchDir, 'bench.lock'));
      console.log(
        holder === undefined
          ? 'bench lock: free'
          : holder === 'unknown'
            ? 'bench lock: held by a run that has not said who it is'
            : `bench lock: pid ${holder.pid} runs ${holder.bench} since ${holder.since}`,
      );
    }
    process.exit(0);
  }
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    console.error(
      `usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options] | stack down|status|reset`,
    );
    process.exit(2);
  }
  if (bench.stack === 'bench') {
    const label = [name, ...rest].join(' ');
    await lockBenchStack(label);
    ensureBenchStack();
    // A checkout older than the bench lock does not wait for it, but its stack.sh waits for
    // the bench stack's own lock (its run dir's .lock): held for the run, such a bench waits
    // for this one instead of recreating the topics under it. Released on exit like the other.
    await takeBenchLock(join(benchStackEnv.LAPSE_RUN_DIR, '.lock'), label);
  } else loadStackEnv();
  await bench.load()(rest);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
