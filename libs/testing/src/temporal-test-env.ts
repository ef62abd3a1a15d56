/**
 * A time-skipping TestWorkflowEnvironment for workflow integration tests.
 *
 *   let env: TimeSkippingTestEnv;
 *   beforeAll(async () => { env = await startTimeSkippingTestEnv(); });
 *   afterAll(() => env?.teardown());
 *
 * The SDK's own launcher (`createTimeSkipping` with an existing-path executable) gives the Java
 * test server 5 s to answer, which a JVM can miss on a busy 2-core machine. So this helper starts
 * the server itself (the wrapper script at $TEMPORAL_TEST_SERVER_PATH, default
 * ~/.cache/lapse/bin/temporal-test-server, installed by `tools/stack/stack.sh install test-server`)
 * on a free port, waits for it as long as it takes (up to `startTimeoutMs`), and attaches the
 * SDK's environment to it with time skipping on — one server per test file; `teardown()` stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from '@lapse/platform';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

export const DEFAULT_TEST_SERVER_PATH = join(
  homedir(),
  '.cache',
  'lapse',
  'bin',
  'temporal-test-server',
);

export interface TimeSkippingTestEnvOptions {
  /** The test server executable (`<path> <port> --enable-time-skipping`). */
  serverPath?: string;
  /** How long to wait for the server to listen and answer. Default 60 s. */
  startTimeoutMs?: number;
  namespace?: string;
  /** Custom search attributes to register (the test server knows none). */
  searchAttributes?: readonly SearchAttributePair['key'][];
  /**
   * Install a Runtime that logs only errors (SDK and core), unless one is installed already.
   * Default true: workers against the test server warn about server capabilities.
   */
  quietRuntime?: boolean;
}

export interface TimeSkippingTestEnv {
  env: TestWorkflowEnvironment;
  /** host:port of the test server. */
  address: string;
  namespace: string;
  teardown(): Promise<void>;
}

/** The path of the test server wrapper, failing with the install command when it is missing. */
export function testServerPath(explicit?: string): string {
  const path = explicit ?? process.env.TEMPORAL_TEST_SERVER_PATH ?? DEFAULT_TEST_SERVER_PATH;
  try {
    accessSync(path, fsConstants.X_OK);
  } catch {
    throw new Error(
      `Temporal test server not found at ${path}. Install it: bash tools/stack/stack.sh install test-server ` +
        '(or set TEMPORAL_TEST_SERVER_PATH).',
    );
  }
  return path;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The SDK's environment factory that attaches to a running server (private in the typings). */
type AttachOptions = {
  server: { type: 'existing' };
  address: string;
  namespace: string;
  supportsTimeSkipping: boolean;
  connectionOptions?: { channelArgs?: Record<string, number | string | undefined> };
};

/**
 * The Java test server (grpc-java) allows a keepalive ping at most every 5 minutes and answers
 * more frequent ones with GOAWAY, which aborts in-flight calls (a `sleep` or an update). The
 * client connection's default pings every 30 s; the test client pings every 6 minutes instead.
 */
const TEST_SERVER_CHANNEL_ARGS = {
  'grpc.keepalive_time_ms': 6 * 60_000,
  'grpc.keepalive_timeout_ms': 15_000,
  'grpc.keepalive_permit_without_calls': 0,
};
const attach = (opts: AttachOptions): Promise<TestWorkflowEnvironment> =>
  (
    TestWorkflowEnvironment as unknown as {
      create(o: AttachOptions): Promise<TestWorkflowEnvironment>;
    }
  ).create.call(TestWorkflowEnvironment, opts);

interface RunningServer {
  child: ChildProcess;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

async function startServer(path: string, deadline: number): Promise<RunningServer> {
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn(path, [String(port), '--enable-time-skipping'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    const exitedPromise = new Promise<void>((resolve) =>
      child.once('exit', () => ((exited = true), resolve())),
    );
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async () => {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exitedPromise, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (!exited) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    };
    while (!exited && Date.now() < deadline && !(await portOpen(port))) await pause(100);
    if (!exited && Date.now() < deadline) return { child, port, output: () => out, stop };
    lastError = exited
      ? `exited with ${child.exitCode}: ${out}`
      : `did not listen on :${port} in time: ${out}`;
    await stop();
  }
  throw new Error(`Temporal test server failed to start (${path}): ${lastError}`);
}

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const indexedValueTypes: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Installs a Runtime that logs only errors (SDK and core), unless one exists already. */
export function installQuietTemporalRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, console: {} } },
    });
  } catch {
    // A Runtime exists already in this process: keep it.
  }
}

export async function startTimeSkippingTestEnv(
  options: TimeSkippingTestEnvOptions = {},
): Promise<TimeSkippingTestEnv> {
  if (options.quietRuntime ?? true) installQuietTemporalRuntime();
  const path = testServerPath(options.serverPath);
  const namespace = options.namespace ?? 'default';
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const server = await startServer(path, deadline);
  const address = `127.0.0.1:${server.port}`;
  let env: TestWorkflowEnvironment | undefined;
  let lastError: unknown;
  // Listening is not always answering yet: retry the attach until the deadline.
  while (!env && Date.now() < deadline) {
    try {
      env = await attach({
        server: { type: 'existing' },
        address,
        namespace,
        supportsTimeSkipping: true,
        connectionOptions: { channelArgs: TEST_SERVER_CHANNEL_ARGS },
      });
      // `--enable-time-skipping` starts the server with skipping unlocked. The SDK's model (and
      // Java's) is a client that holds one lock: time runs in real time except inside
      // `env.sleep()` and while awaiting a workflow result, which unlock it temporarily.
      const testService = env.connection.testService;
      if (!testService) throw new Error('the test server does not offer the test service');
      await testService.lockTimeSkipping({});
    } catch (err) {
      lastError = err;
      await env?.teardown().catch(() => undefined);
      env = undefined;
      await pause(200);
    }
  }
  if (!env) {
    await server.stop();
    throw new Error(
      `could not attach to the Temporal test server at ${address}: ${String(lastError)}\n${server.output()}`,
    );
  }
  const attached = env;
  if (options.searchAttributes?.length) {
    try {
      await attached.connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          options.searchAttributes.map((k) => [k.name, indexedValueTypes[k.type]]),
        ),
      });
    } catch (err) {
      await attached.teardown().catch(() => undefined);
      await server.stop();
      throw err;
    }
  }
  return {
    env: attached,
    address,
    namespace,
    async teardown() {
      await attached.teardown().catch(() => undefined);
      await server.stop();
    },
  };
}
