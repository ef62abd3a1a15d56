/**
 * Real reverse proxies (Debian's nginx and Caddy, installed by tools/proxies/install-proxies.sh)
 * as child processes of a test or a benchmark: each with its own temp directory for config, pid,
 * temp files and logs, on ports of its own. And a small upstream that echoes what it received.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './service-process';
import { waitFor } from './stack';

export interface RunningProxy {
  port: number;
  url: string;
  dir: string;
  output: () => string;
  stop: () => Promise<void>;
}

function findBinary(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    const path = join(dir, name);
    if (spawnSync('test', ['-x', path]).status === 0) return path;
  }
  throw new Error(`${name} not found: run tools/proxies/install-proxies.sh (npm test does)`);
}

async function startChild(
  what: string,
  bin: string,
  args: string[],
  dir: string,
  port: number,
  env: Record<string, string> = {},
): Promise<RunningProxy> {
  let out = '';
  const child: ChildProcess = spawn(bin, args, {
    cwd: dir,
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        rmSync(dir, { recursive: true, force: true });
        return resolve();
      }
      child.once('exit', () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      // nginx: SIGQUIT is its graceful stop; Caddy stops on SIGTERM.
      child.kill(what === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    });
  try {
    const up = await waitFor(
      async () => (child.exitCode !== null ? 'exited' : (await probe(port)) ? 'up' : undefined),
      { timeoutMs: 20_000, intervalMs: 100, what: `${what} to listen on ${port}` },
    );
    if (up === 'exited') throw new Error(`${what} exited with ${child.exitCode}:\n${out}`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { port, url: `http://127.0.0.1:${port}`, dir, output: () => out, stop };
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'HEAD', timeout: 1000 });
    req.on('response', (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts nginx in the foreground with `servers` (server blocks; `{{port}}` is replaced by the
 * listening port) inside an http block whose pid, temp and log paths are in its own directory.
 */
export async function startNginx(
  servers: (port: number) => string,
  opts: { workers?: number; port?: number } = {},
): Promise<RunningProxy> {
  const bin = findBinary('nginx');
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'lapse-nginx-'));
  const asRoot = process.getuid?.() === 0;
  const conf = `
${asRoot ? 'user root root;' : ''}
daemon off;
master_process on;
worker_processes ${opts.workers ?? 1};
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
${servers(port)}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  return startChild(
    'nginx',
    bin,
    ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')],
    dir,
    port,
  );
}

/** Starts Caddy with `sites` (Caddyfile site blocks; `{{port}}` is its port), no admin, no HTTPS. */
export async function startCaddy(
  sites: (port: number) => string,
  env: Record<string, string> = {},
): Promise<RunningProxy> {
  const bin = findBinary('caddy');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lapse-caddy-'));
  const conf = `{
  admin off
  auto_https off
  storage file_system ${dir}/data
}
${sites(port)}
`;
  writeFileSync(join(dir, 'Caddyfile'), conf);
  return startChild(
    'caddy',
    bin,
    ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
    dir,
    port,
    env,
  );
}

export interface Upstream {
  port: number;
  /** Requests it has answered. */
  seen: () => number;
  stop: () => Promise<void>;
}

/** An upstream that answers 200 with JSON `{path, headers}` of what reached it. */
export async function startEchoUpstream(): Promise<Upstream> {
  let seen = 0;
  const server: Server = createServer((req, res) => {
    seen++;
    req.resume();
    const body = JSON.stringify({ path: req.url, headers: req.headers });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    seen: () => seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET with any headers (fetch refuses to set Host), redirects not followed. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
