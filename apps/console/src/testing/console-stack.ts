/**
 * Integration-test stack for the console: the shared Lapse stack (policy, grant workflow,
 * access-tracking and requests as child processes on a private prefix), the development OpenID
 * provider (tools/oidc, the certified `oidc-provider` package) on a free port, and the console
 * as a real process signing people in there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startLapseStack, type LapseService, type LapseStack } from '@lapse/testing/lapse-stack';
import { waitFor, freePort, startServiceProcess, type RunningService } from '@lapse/testing';

const root = join(__dirname, '..', '..', '..', '..');

export interface ConsoleStack extends LapseStack {
  console: RunningService;
  consoleUrl: string;
  issuer: string;
  /** The development sign-in password of this stack's provider. */
  password: string;
  sessionSecret: string;
}

export async function startConsoleStack(
  label: string,
  opts: {
    services?: LapseService[];
    consoleEnv?: Record<string, string>;
    /** Extra environment for every service of the shared stack. */
    env?: Record<string, string>;
  } = {},
): Promise<ConsoleStack> {
  const shared = await startLapseStack(label, {
    services: opts.services ?? ['access-tracking', 'requests'],
    env: opts.env,
  });
  let op: ChildProcess | undefined;
  try {
    const [opPort, consolePort] = [await freePort(), await freePort()];
    const consoleUrl = `http://127.0.0.1:${consolePort}`;
    const issuer = `http://127.0.0.1:${opPort}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const clientSecret = randomBytes(16).toString('hex');
    const sessionSecret = randomBytes(32).toString('hex');
    let opOut = '';
    op = spawn(process.execPath, [join(root, 'tools/oidc/dev-provider.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        LAPSE_OIDC_DEV_PORT: String(opPort),
        LAPSE_DEV_SIGNIN_PASSWORD: password,
        LAPSE_OIDC_CLIENT_ID: 'lapse-console',
        LAPSE_OIDC_CLIENT_SECRET: clientSecret,
        LAPSE_OIDC_REDIRECT_URIS: `${consoleUrl}/auth/callback`,
        LAPSE_OIDC_DEV_KEYS: join('/tmp', `lapse-dev-oidc-${shared.suffix}.json`),
        LAPSE_POLICY_URL: shared.policy.url,
        LAPSE_SERVICE_SECRET: shared.serviceSecret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    op.stdout?.on('data', (d: Buffer) => (opOut += d.toString()));
    op.stderr?.on('data', (d: Buffer) => (opOut += d.toString()));
    const opProcess = op;
    await waitFor(
      async () => {
        if (opProcess.exitCode !== null)
          throw new Error(`dev OpenID provider exited:\n${opOut.slice(-2000)}`);
        const res = await fetch(`${issuer}/health`).catch(() => null);
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the dev OpenID provider to answer' },
    );
    const consoleApp = await startServiceProcess('console', {
      ...shared.env,
      PORT: String(consolePort),
      LAPSE_CONSOLE_URL: consoleUrl,
      LAPSE_SESSION_SECRET: sessionSecret,
      LAPSE_SESSION_RECHECK_MS: '500',
      LAPSE_POLICY_URL: shared.policy.url,
      LAPSE_REQUESTS_URL: shared.services.requests?.url ?? 'http://127.0.0.1:9',
      LAPSE_OIDC_ISSUER: issuer,
      LAPSE_OIDC_CLIENT_ID: 'lapse-console',
      LAPSE_OIDC_CLIENT_SECRET: clientSecret,
      ...opts.consoleEnv,
    });
    return {
      ...shared,
      console: consoleApp,
      consoleUrl,
      issuer,
      password,
      sessionSecret,
      stop: async () => {
        await consoleApp.stop();
        await stopProcess(opProcess);
        await shared.stop();
      },
    };
  } catch (e) {
    if (op) await stopProcess(op);
    await shared.stop().catch(() => undefined);
    throw e;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
