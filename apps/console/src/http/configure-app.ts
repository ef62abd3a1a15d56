import type { INestApplication } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';

/**
 * What main.ts and tests both install on the app: cookies (the session is the `lapse_session`
 * cookie) and security headers. Pages load only this app's stylesheet: no script runs at all
 * (CSP), forms post only here, nothing frames the console.
 */
export function configureApp(app: INestApplication): void {
  app.use(cookieParser());
  app.use(securityHeaders);
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  // The sign-in and sign-out forms post here; the identity provider is reached by redirect.
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}
