import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { httpRequestDuration } from '@lapse/platform';
import type { AuthzConvention, AuthzResponse } from './authz-answer';
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
export class AuthzServer implements OnApplicationBootstrap {
  private readonly log = new Logger('forward-auth');
  private readonly durations = new Map<
    string,
    ReturnType<ReturnType<typeof httpRequestDuration>['labels']>
  >();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly forwardAuth: ForwardAuth,
  ) {}

  onApplicationBootstrap(): void {
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
