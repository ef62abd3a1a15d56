/**
 * Temporal with mTLS on (rule 16): the Temporal server proper with internode and frontend mTLS,
 * on ports of its own (startMtlsTemporal), reached through the connection code every service
 * uses, configured from what `stack.sh env` prints: a worker and a client run a workflow, the
 * grant worker runs as a service; without a client certificate, with one from another CA, or in
 * plaintext, nobody gets in.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { migrate } from '@lapse/db';
import { prebuiltGrantWorkflowBundle } from '@lapse/grant-runtime';
import { connectTemporal, connectTemporalWorker, type TemporalSettings } from '@lapse/temporal';
import {
  createTestDatabase,
  waitFor,
  startMtlsTemporal,
  startServiceProcess,
  type MtlsTemporal,
} from '@lapse/testing';
import { dataSourceOptions } from './db/data-source';
import { echo } from './testing/echo.workflow';

const id = () => randomUUID().slice(0, 8);
let temporal: MtlsTemporal;
let settings: TemporalSettings;

beforeAll(() => {
  temporal = startMtlsTemporal();
  settings = temporal.settings;
}, 1_000_000);

afterAll(() => temporal?.stop(), 60_000);

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
    expect(Object.keys(temporal.env).sort()).toEqual(
      expect.arrayContaining([
        'TEMPORAL_ADDRESS',
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
        'TEMPORAL_TLS_CLIENT_KEY_PATH',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      ]),
    );
    expect(settings.tls?.serverRootCACertificate?.toString()).toContain('BEGIN CERTIFICATE');
    expect(settings.tls?.clientCertPair?.crt.toString()).toContain('BEGIN CERTIFICATE');
    expect(settings.tls?.clientCertPair?.key.toString()).toContain('PRIVATE KEY');
  });

  it('a worker and a client connect with their certificate and run a workflow', async () => {
    const taskQueue = `mtls-${id()}`;
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
        client.workflow.execute(echo, { taskQueue, workflowId: `mtls-echo-${id()}`, args: ['hi'] }),
      );
      expect(result).toBe('echo: hi');
    } finally {
      await clientConnection.close();
      await workerConnection.close();
    }
  });

  it('the grant worker runs as a service over mTLS, and does not start without its certificate', async () => {
    const db = await createTestDatabase('grant_worker_mtls');
    try {
      await migrate(dataSourceOptions(db.url));
      const bundle = prebuiltGrantWorkflowBundle();
      const env: Record<string, string> = {
        ...temporal.env,
        DATABASE_URL: db.url,
        LAPSE_TASK_QUEUE_PREFIX: `mtls-${id()}-`,
        KAFKA_CLIENT_ID: `grant-worker-mtls-${id()}`,
        ...(bundle ? { LAPSE_GRANT_WORKFLOW_BUNDLE: bundle } : {}),
      };
      const service = await startServiceProcess('grant-worker', env);
      try {
        const ready = await waitFor(
          async () => {
            const res = await fetch(`${service.url}/health/ready`);
            return res.status === 200
              ? ((await res.json()) as { dependencies: Record<string, { status: string }> })
              : undefined;
          },
          { timeoutMs: 60_000, what: 'the grant worker ready over mTLS' },
        );
        expect(ready.dependencies.temporal.status).toBe('up');
        expect(ready.dependencies['temporal-worker'].status).toBe('up');
      } finally {
        await service.stop();
      }
      // The same service with the CA but no client certificate: its worker cannot connect.
      const {
        TEMPORAL_TLS_CLIENT_CERT_PATH: _cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: _key,
        ...noCert
      } = env;
      await expect(startServiceProcess('grant-worker', noCert)).rejects.toThrow(
        /grant-worker exited/,
      );
    } finally {
      await db.drop();
    }
    // Two boots of a service (the second waits out its client's retries): minutes when busy.
  }, 300_000);

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
      const [crt, key] = [join(dir, 'rogue.crt'), join(dir, 'rogue.key')];
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'].concat([
          '-subj',
          '/CN=lapse-services',
          '-keyout',
          key,
          '-out',
          crt,
        ]),
        { stdio: 'ignore' },
      );
      const rogue: TemporalSettings = {
        ...settings,
        tls: {
          serverRootCACertificate: settings.tls?.serverRootCACertificate,
          clientCertPair: { crt: readFileSync(crt), key: readFileSync(key) },
        },
      };
      await refused(() => connectTemporal(rogue, 1));
      await refused(() => connectTemporalWorker(rogue));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
