import type { INestApplication } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';

/**
 * What main.ts and tests both install on the app: cookies (pages authenticate with the
 * `lapse_token` cookie) and security headers. Pages may load only this service's stylesheet:
 * no script runs at all (CSP), forms post only here, nothing frames us.
 */
export function configureApp(app: INestApplication): void {
  app.use(cookieParser());
  app.use(securityHeaders);
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  // Swagger UI (/docs) runs its own scripts; everything else gets the no-script policy.
  if (!req.path.startsWith('/docs'))
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}
