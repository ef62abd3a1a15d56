/**
 * HTTP load from two maintained load generators, installed by tools/bench/install-load-tools.sh
 * (a Node client cannot drive 5,000 req/s on 2 cores that also run nginx and Lapse):
 *  - closed loop: `wrk` (C, one thread): `connections` connections, each sending its next request
 *    when the last one answered; latencies from wrk's own histogram (microseconds);
 *  - fixed rate: `vegeta attack` sends each request at its scheduled time whatever the answers
 *    (more workers and connections when answers are slow), so a stall counts for every request it
 *    delays; `vegeta report -type=json` gives nanosecond latencies.
 * Both run as their own processes; their output is parsed into one LoadResult shape.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests per second (fixed rate, vegeta); absent: closed loop (wrk). */
  rate?: number;
  /**
   * A mix of requests: each request is one of these (picked uniformly at random, independently
   * per request): its headers added to `headers`, its path (and query) instead of `url`'s; e.g.
   * many users on many resources.
   */
  variants?: Variant[];
}

export interface Variant {
  headers: Record<string, string>;
  path?: string;
}

export interface LoadResult {
  mode: 'closed-loop' | 'fixed-rate';
  tool: string;
  targetRate: number | null;
  connections: number;
  seconds: number;
  requests: number;
  /** Answered requests per second (fixed rate: 2xx answers over the run and its drain). */
  requestsPerSecond: number;
  /** Fixed rate: requests sent per second (below targetRate when the client fell behind). */
  sentPerSecond?: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const root = join(__dirname, '..', '..');
const cache = process.env.LAPSE_CACHE ?? join(homedir(), '.cache', 'lapse');
const VEGETA = join(cache, 'bin', 'vegeta');

/** Installs nginx, wrk and vegeta when missing (idempotent, cached under ~/.cache/lapse). */
export function ensureLoadTools(): void {
  for (const script of ['tools/proxies/install-proxies.sh', 'tools/bench/install-load-tools.sh']) {
    const r = spawnSync('bash', [script], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${script} failed (${r.status})`);
  }
}

/** The versions in use, for the result file. */
export function loadToolVersions(): { wrk: string; vegeta: string } {
  const wrk = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  // A `go install` build carries its module version in the binary (`-version` prints none).
  const vegeta = spawnSync('go', ['version', '-m', VEGETA], {
    encoding: 'utf8',
    // Where the installer finds Go too, when the shell's PATH lacks it.
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` },
  });
  return {
    wrk: `${wrk.stdout}${wrk.stderr}`.split(' ').slice(0, 2).join(' '),
    vegeta: /\bmod\s+(\S+\s+\S+)/.exec(vegeta.stdout ?? '')?.[1].replace(/\s+/, '@') ?? 'unknown',
  };
}

function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} exited with ${code}: ${err.slice(-2000) || out.slice(-2000)}`)),
    );
  });
}

const ms = (us: number) => Math.round(us) / 1000;

/**
 * Header lines with canonical names (`x-auth-request-email` → `X-Auth-Request-Email`): both tools
 * add their own `Host` unless given one spelled that way, and nginx refuses a second Host (400).
 */
function headerLines(headers: Record<string, string>): string[] {
  return Object.entries(headers).map(
    ([k, v]) =>
      `${k.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())}: ${v}`,
  );
}

/** wrk prints its summary from a Lua `done` hook as one JSON line after this marker. */
const WRK_MARK = 'LAPSE_WRK_JSON ';
const WRK_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '${WRK_MARK}{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%.1f,"p90Us":%.1f,"p99Us":%.1f,"maxUs":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

interface WrkSummary {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
}

export function parseWrk(stdout: string): WrkSummary {
  const line = stdout.split('\n').find((l) => l.startsWith(WRK_MARK));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(WRK_MARK.length)) as WrkSummary;
}

/**
 * The wrk Lua for a mix: every request is built once at start (`wrk.format`), and each request
 * sent is one of them, picked at random.
 */
export function wrkMixScript(spec: LoadSpec): string {
  const url = new URL(spec.url);
  const lua = (s: string) => JSON.stringify(s); // ASCII header values: valid Lua string literals
  const sets = (spec.variants ?? []).map((v) => {
    const entries = headerLines({ ...spec.headers, ...v.headers }).map((line) => {
      const colon = line.indexOf(':');
      return `[${lua(line.slice(0, colon))}] = ${lua(line.slice(colon + 1).trim())}`;
    });
    return `  { ${lua(v.path ?? url.pathname + url.search)}, { ${entries.join(', ')} } },`;
  });
  return `
local sets = {
${sets.join('\n')}
}
local reqs = {}
init = function(args)
  math.randomseed(os.time())
  for i, s in ipairs(sets) do reqs[i] = wrk.format("GET", s[1], s[2]) end
end
request = function()
  return reqs[math.random(#reqs)]
end
${WRK_DONE}`;
}

/** Closed loop with wrk (one thread). */
async function closedLoop(spec: LoadSpec, dir: string): Promise<LoadResult> {
  const script = join(dir, 'summary.lua');
  const mix = (spec.variants?.length ?? 0) > 0;
  writeFileSync(script, mix ? wrkMixScript(spec) : WRK_DONE);
  const headers = mix ? [] : headerLines(spec.headers).flatMap((h) => ['-H', h]);
  const out = await exec('wrk', [
    '-t1',
    `-c${spec.connections}`,
    `-d${spec.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    ...headers,
    spec.url,
  ]);
  const s = parseWrk(out);
  return {
    mode: 'closed-loop',
    tool: 'wrk',
    targetRate: null,
    connections: spec.connections,
    seconds: spec.seconds,
    requests: s.requests,
    requestsPerSecond: Math.round(s.requests / (s.durationUs / 1e6)),
    // wrk counts answers with a status ≥ 400 ("status" errors); the rest are socket errors.
    non2xx: s.status,
    errors: s.connect + s.read + s.write + s.timeout,
    p50Ms: ms(s.p50Us),
    p90Ms: ms(s.p90Us),
    p99Ms: ms(s.p99Us),
    maxMs: ms(s.maxUs),
  };
}

interface VegetaReport {
  latencies: Record<'50th' | '90th' | '95th' | '99th' | 'max' | 'mean' | 'min', number>;
  requests: number;
  rate: number;
  throughput: number;
  status_codes: Record<string, number>;
}

/** The figures of `vegeta report -type=json` (nanosecond latencies). */
export function parseVegeta(json: string, spec: LoadSpec): LoadResult {
  const r = JSON.parse(json) as VegetaReport;
  let ok = 0;
  let errors = 0;
  for (const [code, n] of Object.entries(r.status_codes ?? {})) {
    if (code === '0') errors += n;
    else if (code.startsWith('2')) ok += n;
  }
  const nsToMs = (ns: number) => Math.round(ns / 1000) / 1000;
  return {
    mode: 'fixed-rate',
    tool: 'vegeta',
    targetRate: spec.rate ?? null,
    connections: spec.connections,
    seconds: spec.seconds,
    requests: r.requests,
    requestsPerSecond: Math.round(r.throughput),
    sentPerSecond: Math.round(r.rate),
    non2xx: r.requests - ok - errors,
    errors,
    p50Ms: nsToMs(r.latencies['50th']),
    p90Ms: nsToMs(r.latencies['90th']),
    p99Ms: nsToMs(r.latencies['99th']),
    maxMs: nsToMs(r.latencies.max),
  };
}

/** Most targets written for a mix; vegeta cycles through them in order. */
const MIX_TARGETS_MAX = 100_000;

/**
 * vegeta's targets (its HTTP format). A mix is written as a random sequence of its header sets,
 * one per request of the run (at most MIX_TARGETS_MAX, then repeated): vegeta sends targets in
 * file order, so the order must already be random.
 */
export function vegetaTargets(spec: LoadSpec, random: () => number = Math.random): string {
  const target = (v: Variant) =>
    [
      `GET ${v.path ? new URL(v.path, spec.url).toString() : spec.url}`,
      ...headerLines({ ...spec.headers, ...v.headers }),
      '',
    ].join('\n');
  const variants = spec.variants ?? [];
  if (variants.length === 0) return target({ headers: {} });
  const n = Math.min(MIX_TARGETS_MAX, Math.max(1, Math.ceil((spec.rate ?? 1) * spec.seconds)));
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(target(variants[Math.floor(random() * variants.length)]));
  return out.join('\n');
}

/** Fixed rate with vegeta: `connections` workers to start with, as many more as it needs. */
async function fixedRate(spec: LoadSpec, dir: string): Promise<LoadResult> {
  const targets = join(dir, 'targets.txt');
  const results = join(dir, 'results.bin');
  writeFileSync(targets, vegetaTargets(spec));
  await exec(VEGETA, [
    'attack',
    `-targets=${targets}`,
    `-rate=${spec.rate}/1s`,
    `-duration=${spec.seconds}s`,
    `-workers=${spec.connections}`,
    // At most this many connections: when answers fall behind, requests wait for one (the wait
    // counts in their latency) instead of opening thousands of sockets that nginx then refuses.
    `-max-connections=${spec.connections * 10}`,
    '-timeout=10s',
    `-output=${results}`,
  ]);
  return parseVegeta(await exec(VEGETA, ['report', '-type=json', results]), spec);
}

/** Share of the offered rate that must be answered (2xx, over the run and its drain) to count as held. */
export const HELD_SHARE = 0.97;

/**
 * Whether a fixed-rate run kept up: every request answered 2xx, as fast as offered. One that did
 * not measured a growing queue, not the time to answer.
 */
export function heldRate(r: LoadResult): boolean {
  return (
    r.targetRate !== null &&
    r.errors === 0 &&
    r.non2xx === 0 &&
    r.requestsPerSecond >= HELD_SHARE * r.targetRate
  );
}

/** A rate a path sustains: half its closed-loop throughput, in hundreds (at least 100). */
export function sustainableRate(closedLoopRequestsPerSecond: number): number {
  return Math.max(100, Math.floor(closedLoopRequestsPerSecond / 2 / 100) * 100);
}

/** Runs one load (closed loop with wrk, or fixed rate with vegeta) and returns its figures. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lapse-load-'));
  try {
    return spec.rate === undefined ? await closedLoop(spec, dir) : await fixedRate(spec, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
