import { Injectable, type NestMiddleware } from '@nestjs/common';
import { json, type NextFunction, type Request, type Response } from 'express';
import { scimErrorBody } from './scim.errors';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

const parseBody = json({ type: ['application/scim+json', 'application/json'], limit: '1mb' });

/**
 * The SCIM routes speak `application/scim+json` (RFC 7644 §3.1): bodies of that type are parsed as
 * JSON (the service's own parser takes only `application/json`), and every answer carries it.
 * A malformed body is a SCIM 400 `invalidSyntax` — before any route or guard runs.
 */
@Injectable()
export class ScimHttpMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    parseBody(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      const status = type === 'entity.too.large' ? 413 : 400;
      const detail =
        type === 'entity.too.large' ? 'body: larger than 1 MB' : 'body: malformed JSON';
      res
        .status(status)
        .type(SCIM_CONTENT_TYPE)
        .send(
          JSON.stringify(
            scimErrorBody(status, detail, status === 400 ? 'invalidSyntax' : undefined),
          ),
        );
    });
  }
}
