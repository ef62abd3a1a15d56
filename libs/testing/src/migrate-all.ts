import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tsScriptArgs } from './service-process';
import { kafkaEnvAs } from './stack';

const root = join(__dirname, '..', '..', '..');

/**
 * Runs `npm run migrate`'s script (tools/scripts/migrate.ts) against `url`: every service's
 * schema and the Kafka topics, for suites that start several Lapse services on one database.
 */
export function migrateAllSchemas(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, tsScriptArgs('tools/scripts/migrate.ts'), {
      cwd: root,
      // Topics are created by the operator principal.
      env: { ...process.env, ...kafkaEnvAs('ops'), DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`migrate failed (${code}):\n${out.slice(-3000)}`)),
    );
  });
}
