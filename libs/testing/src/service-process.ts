/**
 * Runs a Lapse app as a real child process for integration tests that need another service
 * (e.g. requests' tests talk to a real policy service). Waits for /health, stops with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@lapse/platform';
import { join } from 'node:path';
import { databaseUrlAs, waitFor, kafkaEnvAs } from './stack';

const root = join(__dirname, '..', '..', '..');

export interface RunningService {
  url: string;
  port: number;
  /** What the process printed so far (JSON log lines). */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  process: ChildProcess;
}

/** `node` arguments that run a TypeScript file of the repository (as `npm start` runs the apps). */
export function tsScriptArgs(file: string): string[] {
  return ['-r', 'reflect-metadata', '-r', '@swc-node/register', join(root, file)];
}

export { freePort };

// Boot compiles the app with SWC and connects to Postgres, Kafka and Temporal: seconds on a quiet
// machine, but a minute or more when both cores are busy with parallel suites.
/**
 * Starts `apps/<app>/src/main.ts` with `env` (on top of process.env) and waits until healthy.
 * `env.DATABASE_URL` names the database (created and migrated as the owner): the service logs in
 * there as its own role, like everywhere else.
 */
export async function startServiceProcess(
  app: 'policy' | 'access-tracking' | 'requests' | 'notifications' | 'grant-worker' | 'console',
  env: Record<string, string>,
  { timeoutMs = 120_000 } = {},
): Promise<RunningService> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  const child = spawn(process.execPath, tsScriptArgs(`apps/${app}/src/main.ts`), {
    cwd: root,
    env: {
      ...process.env,
      // Each service reaches Kafka as its own principal (the console uses none).
      ...(app === 'console' ? {} : kafkaEnvAs(app)),
      LOG_LEVEL: 'warn',
      ...env,
      ...(env.DATABASE_URL ? { DATABASE_URL: databaseUrlAs(app, env.DATABASE_URL) } : {}),
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<number | null>((resolve) => {
      // Already gone (exited, or killed by a signal: then exitCode stays null).
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  // The last /health answer: what a boot that never becomes healthy is waiting for.
  let health = 'no answer';
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${app} exited with ${child.exitCode}:\n${out.slice(-4000)}`);
        const res = await fetch(`${url}/health`).catch(() => null);
        if (res) health = `${res.status} ${await res.text().catch(() => '')}`;
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `${app} to become healthy` },
    );
  } catch (e) {
    await stop('SIGKILL');
    throw new Error(
      `${(e as Error).message}\n--- last /health: ${health.slice(0, 2000)}\n--- ${app} output ---\n${out.slice(-4000)}`,
    );
  }
  return { url, port, output: () => out, stop, process: child };
}
