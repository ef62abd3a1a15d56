import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** Writes bench/results/<name>-<timestamp>.json and <name>-latest.json; returns the first path. */
export function writeResults(name: string, results: unknown): string {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  const body = JSON.stringify(results, null, 2) + '\n';
  writeFileSync(file, body);
  writeFileSync(join(dir, `${name}-latest.json`), body);
  return file;
}

/** The machine a result was measured on, with its load average before (given) and now. */
export function machineInfo(loadavgBefore: number[], note?: string) {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    loadavgBefore,
    loadavgAfter: loadavg(),
    ...(note ? { note } : {}),
  };
}
