/** `npm run bench -- <name> [options]`: runs one benchmark and writes its JSON to bench/results/. */
import { runAuthzBench } from './authz';
import { runIngestBench } from './ingest';

const BENCHES: Record<string, (argv: string[]) => Promise<void>> = {
  authz: runAuthzBench,
  ingest: runIngestBench,
};

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
    process.exit(2);
  }
  await bench(rest);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
