/**
 * A Temporal server proper of the suite's own, with internode and frontend mTLS (tools/stack:
 * LAPSE_TEMPORAL_MODE=server, LAPSE_TEMPORAL_STORE=sqlite in memory, LAPSE_TEMPORAL_TLS=mtls),
 * in a run dir and on ports of its own: nothing of the shared stack is touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TemporalSettings } from '@lapse/temporal';
import { stackTemporalSettings } from './stack';

const root = join(__dirname, '..', '..', '..');

export interface MtlsTemporal {
  /** What a service needs (`stack.sh env`): TEMPORAL_ADDRESS, TEMPORAL_TLS_* paths. */
  env: Record<string, string>;
  /** The same, as connection settings (client certificate included). */
  settings: TemporalSettings;
  stop: () => void;
}

function stackSh(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = spawnSync('bash', [join(root, 'tools/stack/stack.sh'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`stack.sh ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/**
 * Starts the server (5-25 s here, longer on a busy machine) on a free block of ports; `stop`
 * ends it and its run dir. A failed start is stopped before the next try.
 */
export function startMtlsTemporal(): MtlsTemporal {
  const runDir = mkdtempSync(join(tmpdir(), 'lapse-temporal-mtls-'));
  const { DATABASE_URL: _shared, ...base } = process.env;
  let lastError: unknown;
  // The server takes ports P-300..P+10; stack.sh refuses a block someone uses.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = 30_000 + 20 * Math.floor(Math.random() * 400);
    const env: NodeJS.ProcessEnv = {
      ...base,
      LAPSE_UP_TIMEOUT: base.LAPSE_UP_TIMEOUT ?? '300',
      LAPSE_RUN_DIR: runDir,
      LAPSE_TEMPORAL_MODE: 'server',
      LAPSE_TEMPORAL_STORE: 'sqlite',
      LAPSE_TEMPORAL_TLS: 'mtls',
      LAPSE_TEMPORAL_PORT: String(port),
      LAPSE_TEMPORAL_UI_PORT: String(port + 15),
    };
    try {
      stackSh(env, 'up', 'temporal');
    } catch (e) {
      lastError = e;
      stackSh(env, 'down', 'temporal');
      continue;
    }
    const exported: Record<string, string> = {};
    for (const line of stackSh(env, 'env').split('\n')) {
      const m = /^export (TEMPORAL_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m && m[1] !== 'TEMPORAL_TEST_SERVER_PATH' && m[1] !== 'TEMPORAL_UI_URL')
        exported[m[1]] = m[2];
    }
    return {
      env: exported,
      settings: stackTemporalSettings(exported),
      stop: () => {
        stackSh(env, 'down', 'temporal');
        rmSync(runDir, { recursive: true, force: true });
      },
    };
  }
  rmSync(runDir, { recursive: true, force: true });
  throw lastError;
}
