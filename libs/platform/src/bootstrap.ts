import 'reflect-metadata';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json, urlencoded, type RequestHandler } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { HealthRegistry } from './health';
import { LapseError } from './errors';
import { lapseValidationPipe } from './validation';
import { documentErrors, documentRequests, type RequestRules } from './openapi';

export interface ServiceOptions {
  name: string;
  title: string;
  port: number;
  host?: string;
  /** Serve OpenAPI at /docs and /docs-json (every HTTP service does). */
  openApi?: boolean;
  /** What the document says of requests beyond the DTOs (e.g. every path parameter a UUID). */
  requestRules?: RequestRules;
  /** Largest accepted JSON body; larger → 413. */
  bodyLimit?: string;
  /** Called after the app is created and before it listens (cookies, views, …). */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
  shutdownTimeoutMs?: number;
}

/**
 * Creates and starts a Lapse HTTP service: JSON logs, validation, OpenAPI, and a clean stop on
 * SIGTERM/SIGINT (stop taking traffic, let modules drain through their shutdown hooks, exit).
 */
export async function startService(
  module: Type<unknown> | DynamicModule,
  opts: ServiceOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    // Parsers are installed below with errors that name the body.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const limit = opts.bodyLimit ?? '256kb';
  app.use(withBodyErrors(json({ limit })));
  app.use(formsOnly(withBodyErrors(urlencoded({ extended: false, limit }))));
  app.useGlobalPipes(lapseValidationPipe());
  app.disable('x-powered-by');
  await opts.configure?.(app);

  if (opts.openApi !== false) {
    const doc = documentRequests(
      documentErrors(
        SwaggerModule.createDocument(
          app,
          new DocumentBuilder().setTitle(opts.title).setVersion('1').addBearerAuth().build(),
        ),
      ),
      opts.requestRules,
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  }

  installShutdown(app, opts.shutdownTimeoutMs ?? 10_000);
  await app.listen(opts.port, opts.host ?? process.env.HOST ?? '127.0.0.1');
  app.get(Logger).log(`${opts.name} listening on ${await app.getUrl()}`);
  return app;
}

/**
 * Form bodies (urlencoded) are parsed only where forms post: the pages, never the JSON API under
 * `/v1` or `/scim`. A cross-site form can send only urlencoded, multipart or text bodies, so the
 * API reads none of them (and takes no cookies, see the auth guard).
 */
export function formsOnly(parser: RequestHandler): RequestHandler {
  return (req, res, next) => (isApiPath(req.path) ? next() : parser(req, res, next));
}

export function isApiPath(path: string): boolean {
  return /^\/(v1|scim)(\/|$)/.test(path);
}

/**
 * Body parsing errors as client errors that name the body: Nest would turn the parser's
 * SyntaxError into a 400 carrying the parser's own wording.
 */
export function withBodyErrors(parser: RequestHandler): RequestHandler {
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.parse.failed')
        return next(LapseError.validation('body', 'malformed JSON'));
      if (type === 'entity.too.large')
        return next(
          new LapseError(
            'PAYLOAD_TOO_LARGE',
            `body: larger than ${String((err as { limit?: number }).limit ?? '')} bytes`,
          ),
        );
      return next(err);
    });
}

/** Closes the app on SIGTERM/SIGINT once; a second signal or the timeout forces the exit. */
export function installShutdown(app: INestApplication, timeoutMs: number): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    const logger = app.get(Logger);
    logger.log(`${signal} received: shutting down`);
    app.get(HealthRegistry).markShuttingDown();
    const force = setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app
      .close()
      .then(() => {
        logger.log('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Logs a fatal start-up error as JSON and exits non-zero. */
export function exitOnBootFailure(service: string) {
  return (err: unknown): never => {
    const e = err as Error;
    process.stderr.write(
      JSON.stringify({
        level: 'fatal',
        service,
        time: new Date().toISOString(),
        msg: e.message,
        stack: e.stack,
      }) + '\n',
    );
    process.exit(1);
  };
}
