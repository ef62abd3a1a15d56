import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { httpRequestDuration } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { authzVary, type AuthzConvention, type AuthzResponse } from './authz-answer';
import { ForwardAuth } from './forward-auth';

export const AUTHZ_PREFIX = '/v1/authz/';
const EXT_AUTHZ = 'ext-authz';

/** The convention and (Envoy) the original path of a forward-auth request URL; else undefined. */
export function routeOf(
  url: string | undefined,
): { convention: AuthzConvention; ownPath?: string } | undefined {
  if (!url?.startsWith(AUTHZ_PREFIX)) return undefined;
  const rest = url.slice(AUTHZ_PREFIX.length);
  if (
    rest.startsWith(EXT_AUTHZ) &&
    (rest.length === EXT_AUTHZ.length ||
      rest[EXT_AUTHZ.length] === '/' ||
      rest[EXT_AUTHZ.length] === '?')
  ) {
    const own = rest.slice(EXT_AUTHZ.length);
    return { convention: 'ext-authz', ownPath: own.startsWith('/') ? own : `/${own}` };
  }
  const q = rest.indexOf('?');
  const name = q === -1 ? rest : rest.slice(0, q);
  if (name === 'auth-request' || name === 'forward-auth') return { convention: name };
  return undefined;
}

/**
 * Serves `/v1/authz/*` straight from the HTTP server's request event, before Nest (like the
 * decisions fast path): proxies ask on every request they pass, and the Nest pipeline around a
 * map lookup would cost many times the lookup. Every method is answered (Envoy asks with the
 * original one); the request body is never read.
 */
@Injectable()
export class AuthzServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('forward-auth');
  private readonly durations = new Map<
    string,
    ReturnType<ReturnType<typeof httpRequestDuration>['labels']>
  >();

  /** The LAPSE_AUTHZ_SOCKET listener, when configured. */
  private socketServer?: Server;

  /** What every answer depends on (authzVary). */
  private readonly vary: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly forwardAuth: ForwardAuth,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
  ) {
    this.vary = authzVary(config.LAPSE_AUTHZ_TRUSTED_HEADER);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.answerBeforeNest();
    if (this.config.LAPSE_AUTHZ_SOCKET)
      await this.listenOnSocket(
        this.config.LAPSE_AUTHZ_SOCKET,
        this.config.LAPSE_AUTHZ_SOCKET_MODE,
      );
  }

  /**
   * The HTTP server stops before the last uses are flushed (UsagePublisher, on shutdown): so
   * does the socket. In-flight checks finish; idle keep-alive connections are closed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.socketServer;
    if (!server) return;
    this.socketServer = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve()); // also removes the socket file
      server.closeIdleConnections();
    });
  }

  /**
   * `/v1/authz/*` on a Unix domain socket for a proxy on the same host: the same answers, and
   * its peer is a trusted proxy. Anything else there is 404. A socket file left by a process that
   * died is replaced; any other file at that path is an error.
   */
  private async listenOnSocket(path: string, mode: string): Promise<void> {
    try {
      if (lstatSync(path).isSocket()) unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const server = createServer((req, res) => {
      const route = routeOf(req.url);
      if (route) return void this.serve(route.convention, route.ownPath, req, res, true);
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '10' });
      res.end('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, parseInt(mode, 8));
    this.socketServer = server;
    this.log.log(`forward-auth also answers on ${path}`);
  }

  /** Takes the main HTTP server's request event: `/v1/authz/*` is answered before Nest. */
  private answerBeforeNest(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    const next = server.listeners('request') as ((
      req: IncomingMessage,
      res: ServerResponse,
    ) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const route = routeOf(req.url);
      if (route) return void this.serve(route.convention, route.ownPath, req, res);
      for (const listener of next) listener.call(server, req, res);
    });
  }

  /** Answers at once when the check needs no I/O (the common case): no promise, no microtask. */
  private serve(
    convention: AuthzConvention,
    ownPath: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    localSocket = false,
  ): void {
    const started = process.hrtime.bigint();
    req.resume();
    let a: AuthzResponse | Promise<AuthzResponse>;
    try {
      a = this.forwardAuth.check(convention, {
        method: req.method ?? 'GET',
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
        ownPath,
        localSocket,
      });
    } catch (err) {
      return this.fail(convention, started, res, err);
    }
    if (a instanceof Promise)
      a.then(
        (later) => this.send(convention, started, req, res, later),
        (err: unknown) => this.fail(convention, started, res, err),
      );
    else this.send(convention, started, req, res, a);
  }

  private send(
    convention: AuthzConvention,
    started: bigint,
    req: IncomingMessage,
    res: ServerResponse,
    a: AuthzResponse,
  ): void {
    try {
      const body = a.body ?? '';
      a.headers['cache-control'] = 'no-store';
      a.headers.vary = this.vary;
      a.headers['content-length'] = String(Buffer.byteLength(body));
      res.writeHead(a.status, a.headers);
      res.end(req.method === 'HEAD' || body === '' ? undefined : body);
    } catch (err) {
      return this.fail(convention, started, res, err);
    }
    this.observe(convention, a.status, started);
  }

  private fail(
    convention: AuthzConvention,
    started: bigint,
    res: ServerResponse,
    err: unknown,
  ): void {
    this.log.error({ err }, 'forward-auth check failed');
    const body = JSON.stringify({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'forward-auth failed',
    });
    if (!res.headersSent)
      res.writeHead(500, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
    res.end(body);
    this.observe(convention, 500, started);
  }

  private observe(convention: AuthzConvention, status: number, started: bigint): void {
    this.duration(convention, status).observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  private duration(convention: AuthzConvention, status: number) {
    const key = `${convention}:${status}`;
    let h = this.durations.get(key);
    if (!h) {
      h = httpRequestDuration().labels({
        method: 'GET',
        route: `${AUTHZ_PREFIX}${convention}`,
        status: String(status),
      });
      this.durations.set(key, h);
    }
    return h;
  }
}
