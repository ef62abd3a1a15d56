/**
 * Temporal with mTLS on (rule 16): the Temporal server proper on ports and a run dir of its own,
 * with internode and frontend mTLS (tools/stack: LAPSE_TEMPORAL_MODE=server,
 * LAPSE_TEMPORAL_STORE=sqlite, LAPSE_TEMPORAL_TLS=mtls), reached by a worker and a client through
 * the connection code every service uses, configured from what `stack.sh env` prints. Without a
 * client certificate, or with one from another CA, nobody gets in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { commonEnvSchema, loadConfig } from '@lapse/config';
import { connectTemporal, connectTemporalWorker, temporalSettingsOf } from './connection';
import type { TemporalSettings } from './connection';
import { echo } from './testing/echo.workflow';

const root = join(__dirname, '..', '..', '..');
const runDir = mkdtempSync(join(tmpdir(), 'lapse-temporal-mtls-'));
let stackEnv: NodeJS.ProcessEnv = {};
let settings: TemporalSettings;

function stackSh(...args: string[]): string {
  const r = spawnSync('bash', [join(root, 'tools/stack/stack.sh'), ...args], {
    cwd: root,
    env: stackEnv,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`stack.sh ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  // A port block nobody uses (the server takes P-300..P+10); stack.sh refuses a busy one.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5 && !settings; attempt++) {
    const port = 30_000 + 20 * Math.floor(Math.random() * 400);
    const { DATABASE_URL: _shared, ...env } = process.env;
    stackEnv = {
      ...env,
      LAPSE_RUN_DIR: runDir,
      LAPSE_TEMPORAL_MODE: 'server',
      LAPSE_TEMPORAL_STORE: 'sqlite',
      LAPSE_TEMPORAL_TLS: 'mtls',
      LAPSE_TEMPORAL_PORT: String(port),
      LAPSE_TEMPORAL_UI_PORT: String(port + 15),
    };
    try {
      stackSh('up', 'temporal');
    } catch (e) {
      lastError = e;
      continue;
    }
    const exported: Record<string, string> = {};
    for (const line of stackSh('env').split('\n')) {
      const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m) exported[m[1]] = m[2];
    }
    settings = temporalSettingsOf(loadConfig(commonEnvSchema, exported));
  }
  if (!settings) throw lastError;
}, 240_000);

afterAll(() => {
  if (stackEnv.LAPSE_RUN_DIR) stackSh('down', 'temporal');
  rmSync(runDir, { recursive: true, force: true });
}, 60_000);

/** The connection attempt fails (refused at the TLS handshake, or the call right after). */
async function refused(attempt: () => Promise<{ close: () => Promise<void> }>) {
  const outcome = await attempt().then(
    async (c) => {
      await c.close();
      return 'connected';
    },
    (e: unknown) => (e as Error).message,
  );
  expect(outcome).not.toBe('connected');
}

describe('Temporal with mTLS', () => {
  it('stack.sh env gives the server CA and a client certificate; TLS is on', () => {
    expect(settings.tls?.serverRootCACertificate?.toString()).toContain('BEGIN CERTIFICATE');
    expect(settings.tls?.clientCertPair?.crt.toString()).toContain('BEGIN CERTIFICATE');
    expect(settings.tls?.clientCertPair?.key.toString()).toContain('PRIVATE KEY');
  });

  it('a worker and a client connect with their certificate and run a workflow', async () => {
    const taskQueue = `mtls-${randomUUID().slice(0, 8)}`;
    const workerConnection = await connectTemporalWorker(settings);
    const clientConnection = await connectTemporal(settings, 3);
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: settings.namespace,
        taskQueue,
        workflowsPath: require.resolve('./testing/echo.workflow'),
      });
      const client = new Client({ connection: clientConnection, namespace: settings.namespace });
      const result = await worker.runUntil(
        client.workflow.execute(echo, {
          taskQueue,
          workflowId: `mtls-echo-${randomUUID().slice(0, 8)}`,
          args: ['over mTLS'],
        }),
      );
      expect(result).toBe('echo: over mTLS');
    } finally {
      await clientConnection.close();
      await workerConnection.close();
    }
  });

  it('a client or a worker without a certificate is refused, and so is plaintext', async () => {
    const noCert: TemporalSettings = {
      ...settings,
      tls: { serverRootCACertificate: settings.tls?.serverRootCACertificate },
    };
    await refused(() => connectTemporal(noCert, 1));
    await refused(() => connectTemporalWorker(noCert));
    const { tls: _tls, ...plaintext } = settings;
    await refused(() => connectTemporal(plaintext, 1));
  });

  it('a certificate from another CA is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-rogue-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=lapse-services',
          '-keyout',
          join(dir, 'rogue.key'),
          '-out',
          join(dir, 'rogue.crt'),
        ],
        { stdio: 'ignore' },
      );
      const rogue: TemporalSettings = {
        ...settings,
        tls: {
          serverRootCACertificate: settings.tls?.serverRootCACertificate,
          clientCertPair: {
            crt: readFileSync(join(dir, 'rogue.crt')),
            key: readFileSync(join(dir, 'rogue.key')),
          },
        },
      };
      await refused(() => connectTemporal(rogue, 1));
      await refused(() => connectTemporalWorker(rogue));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
