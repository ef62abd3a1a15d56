import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * What main.ts and tests both install on the app: security headers. The request and review
 * pages live in the console; this service answers its REST API only, to Bearer tokens.
 */
export function configureApp(app: INestApplication): void {
  app.use(securityHeaders);
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}
