/**
 * `npm run bench -- <name> [options]`: runs one benchmark against the running local stack
 * (`npm run stack -- up`) and writes its JSON to bench/results/. The stack's settings (Kafka
 * principals, CA, database) are read from `tools/stack/stack.sh env` before any bench module
 * loads, so it works in any shell; a variable already set in the environment wins.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

type Bench = (argv: string[]) => Promise<void>;
const BENCHES: Record<string, () => Bench> = {
  authz: () => (require('./authz') as typeof import('./authz')).runAuthzBench,
  ingest: () => (require('./ingest') as typeof import('./ingest')).runIngestBench,
  regrant: () => (require('./regrant') as typeof import('./regrant')).runRegrantBench,
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

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const load = name ? BENCHES[name] : undefined;
  if (!load) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
    process.exit(2);
  }
  loadStackEnv();
  await load()(rest);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
