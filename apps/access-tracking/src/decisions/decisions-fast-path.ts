import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { grantKey } from '@lapse/contracts';
import { PROXY_CALLER, TokenVerifier } from '@lapse/auth';
import { httpRequestDuration } from '@lapse/platform';
import { GrantProjection } from '../grants/grant-projection';
import { decide } from './decision';

const PATH = '/v1/decisions';
const MAX_ID_LENGTH = 200;

/**
 * The proxies' hot path. `GET /v1/decisions` is asked on every connection a proxy lets through,
 * thousands of times a second, and the answer is a map lookup: the Nest pipeline around it
 * (request logging, body parsers, guard, class-validator, interceptors) would cost ten times the
 * lookup. So the HTTP server's request event sees the request first, and this answers it
 * directly when the answer is certain to be the one the controller would give:
 *
 *  - the caller's Bearer token is a proxy token already verified (TokenVerifier's cache);
 *  - the query is exactly `userId` and `resourceId`, each a non-empty string within the limit.
 *
 * Everything else — a first or unknown token, a user's token (roles come from the directory), a
 * bad query, any other path — goes on to Nest unchanged, which verifies, validates and answers
 * with the usual errors. Both paths call the same `decide` on the same projection.
 */
@Injectable()
export class DecisionsFastPath implements OnApplicationBootstrap {
  private readonly duration = httpRequestDuration().labels({
    method: 'GET',
    route: PATH,
    status: '200',
  });
  /** Requests answered here (the rest went through the controller). */
  served = 0;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly projection: GrantProjection,
    private readonly verifier: TokenVerifier,
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
      if (this.tryServe(req, res)) return;
      for (const listener of next) listener.call(server, req, res);
    });
  }

  /** Answers and returns true, or returns false having touched nothing. */
  tryServe(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url;
    if (
      req.method !== 'GET' ||
      !url ||
      !url.startsWith(PATH) ||
      url.charCodeAt(PATH.length) !== 63 /* ? */
    )
      return false;
    const auth = req.headers.authorization;
    if (!auth || !auth.startsWith('Bearer ')) return false;
    const claims = this.verifier.cachedClaims(auth.slice(7).trim());
    if (claims?.kind !== 'service' || claims.service !== PROXY_CALLER) return false;
    const ids = idsOf(url.slice(PATH.length + 1));
    if (!ids) return false;

    const started = process.hrtime.bigint();
    const body = JSON.stringify(
      decide(this.projection.get(grantKey(ids)), Date.now(), this.projection.stale),
    );
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    this.served++;
    this.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    return true;
  }
}

/** The two ids when the query is exactly `userId` and `resourceId`, valid; else undefined. */
export function idsOf(query: string): { userId: string; resourceId: string } | undefined {
  const q = parseQuery(query);
  const { userId, resourceId } = q;
  if (Object.keys(q).length !== 2 || !isId(userId) || !isId(resourceId)) return undefined;
  return { userId, resourceId };
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}
