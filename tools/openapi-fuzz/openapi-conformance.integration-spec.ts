/**
 * Every operation of every HTTP service judged against its own OpenAPI document by an outside
 * fuzzer: schemathesis (PyPI), installed by tools/openapi-fuzz/install.sh, generates requests
 * from each service's `/docs-json` (valid and invalid ones, a bounded number per operation) and
 * fails on a 5xx, a status code the document does not list, a response body that does not match
 * its schema, a content type the document does not name, a request the document forbids being
 * accepted or one it allows being refused; and on a success answer that does not describe its body. The services run as in production
 * (child processes on real Postgres, Kafka and Temporal), called with the bootstrap ADMIN's token.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';
import { testOutputPath } from '@lapse/testing';

const run = promisify(execFile);
const TOOLS = resolve(__dirname);

/** The checks that decide the verdict (schemathesis names). */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'response_schema_conformance',
  'content_type_conformance',
  'negative_data_rejection',
  // Every request the document allows is accepted (2xx, or a documented refusal that depends on
  // state: 401/403/404/409): the document is as strict as the validation, no stricter.
  'positive_data_acceptance',
];
/** Test cases per operation and phase: enough to reach every documented answer, bounded in time. */
const MAX_EXAMPLES = 8;

interface Outcome {
  exitCode: number;
  operations: number;
  failures: string[];
  report: string;
}

let s: LapseStack;
let schemathesis: string;
let workDir: string;

async function fuzz(service: string, baseUrl: string, token: string): Promise<Outcome> {
  const junit = testOutputPath(`openapi-${service}.junit.xml`);
  const result = await run(
    schemathesis,
    [
      // What the fuzzer cannot generate (an opaque paging cursor): see the file.
      '--config-file',
      join(TOOLS, 'schemathesis.toml'),
      'run',
      `${baseUrl}/docs-json`,
      '--url',
      baseUrl,
      '-H',
      `Authorization: Bearer ${token}`,
      '--checks',
      CHECKS.join(','),
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      '20261130',
      '--workers',
      '1',
      '--request-timeout',
      '20',
      '--no-shrink',
      '--suppress-health-check',
      'all',
      '--warnings',
      'off',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
    ],
    {
      maxBuffer: 64 << 20,
      timeout: 240_000,
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' },
      // schemathesis keeps a cache in its working directory: not in the repository.
      cwd: workDir,
    },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: `${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    }),
  );
  const xml = readFileSync(junit, 'utf8');
  const cases = [
    ...xml.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g),
  ];
  const failures = cases
    .filter((c) => /<(failure|error)\b/.test(c[3] ?? ''))
    .map((c) => `${c[1]}: ${firstLines(c[3] ?? '')}`);
  return { exitCode: result.code, operations: cases.length, failures, report: result.stdout };
}

/**
 * The proxies' authorization checks (nginx auth_request, Traefik/Caddy forward-auth, Envoy
 * ext_authz): an allowed call is a 200 with an empty body, its answer is in the headers.
 */
const EMPTY_SUCCESS = [
  'GET /v1/authz/auth-request',
  'GET /v1/authz/forward-auth',
  'GET /v1/authz/ext-authz/{path}',
];

type Document = {
  paths: Record<
    string,
    Record<
      string,
      { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }
    >
  >;
};

/**
 * Operations whose success answer says nothing of its body: `METHOD path status`. Every 2xx but
 * 204 must describe its body (a schema per media type), or response_schema_conformance has
 * nothing to check; every operation must document a 2xx.
 */
function undescribedSuccesses(doc: Document): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (EMPTY_SUCCESS.includes(`${method.toUpperCase()} ${path}`)) continue;
      const successes = Object.entries(op.responses ?? {}).filter(([s]) => /^2\d\d$/.test(s));
      if (successes.length === 0) out.push(`${method.toUpperCase()} ${path}: no 2xx`);
      for (const [status, response] of successes) {
        if (status === '204') continue;
        const media = Object.values(response.content ?? {});
        if (media.length === 0 || media.some((m) => !m.schema))
          out.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
  }
  return out;
}

const firstLines = (text: string) =>
  text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 6)
    .join(' | ');

beforeAll(async () => {
  const install = await run('bash', [`${TOOLS}/install.sh`], { maxBuffer: 16 << 20 });
  schemathesis = install.stdout.trim().split('\n').pop() ?? 'schemathesis';
  workDir = mkdtempSync(join(tmpdir(), 'lapse-openapi-'));
  s = await startLapseStack('openapi', {
    services: ['access-tracking', 'requests', 'notifications'],
    env: { LOG_LEVEL: 'error' },
  });
}, 300_000);

afterAll(async () => {
  await s?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe.each(['policy', 'requests', 'notifications', 'access-tracking'] as const)(
  '%s: schemathesis against /docs-json',
  (service) => {
    it('finds no 5xx, no undocumented status, no answer off its schema, no valid request refused', async () => {
      const url = service === 'policy' ? s.policy.url : (s.services[service]?.url ?? '');
      const doc = (await (await fetch(`${url}/docs-json`)).json()) as Document;
      const outcome = await fuzz(service, url, s.admin.token);
      expect({ undescribed: undescribedSuccesses(doc), failures: outcome.failures }).toEqual({
        undescribed: [],
        failures: [],
      });
      // Exit code 0 only when every check passed on every operation (and the document loaded).
      if (outcome.exitCode !== 0) throw new Error(outcome.report.slice(-8000));
      expect(outcome.operations).toBeGreaterThan(0);
    }, 300_000);
  },
);
