import {
  Catch,
  HttpException,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { LapseError, httpStatusOf, isDependencyDown } from '@lapse/platform';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';
import { clearSessionCookie } from '../sessions/session-cookie';
import { PageRenderer } from './page-renderer';

const HEADINGS: Record<number, string> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Already decided',
  503: 'Lapse is catching up',
};

const UNAVAILABLE =
  'A part of Lapse this page needs is not answering right now. Please try again in a minute.';

/**
 * Errors on the pages are pages too (HTML with the same status), never JSON or a stack. A page
 * opened without a session (GET) goes to sign-in and comes back to the same page afterwards.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('pages');

  constructor(
    private readonly renderer: PageRenderer,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = describe(exception);
    if (status === 503) this.log.warn({ err: exception }, 'page dependency unavailable');
    else if (status >= 500) this.log.error({ err: exception }, 'page failed');
    if (res.headersSent) return;
    const signIn = `/auth/login?return_to=${encodeURIComponent(req.originalUrl)}`;
    if (status === 401) {
      clearSessionCookie(res, this.config);
      if (req.method === 'GET') {
        res.setHeader('Cache-Control', 'no-store');
        return res.redirect(302, signIn);
      }
    }
    if (status === 503) res.setHeader('Retry-After', '5');
    res
      .status(status)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        this.renderer.render('error', {
          title: HEADINGS[status] ?? 'Something went wrong',
          statusCode: status,
          heading: HEADINGS[status] ?? 'Something went wrong',
          message,
          signIn: status === 401 ? '/auth/login' : null,
          back: status === 401 ? null : '/',
        }),
      );
  }
}

function describe(e: unknown): { status: number; message: string } {
  if (isDependencyDown(e)) return { status: 503, message: UNAVAILABLE };
  if (e instanceof LapseError) {
    const status = httpStatusOf(e.kind);
    return {
      status,
      message:
        status === 401
          ? 'Your session has ended or was never started. Sign in to continue.'
          : e.message,
    };
  }
  if (e instanceof HttpException) return { status: e.getStatus(), message: e.message };
  return {
    status: 500,
    message: 'Something went wrong on our side. Please try again in a moment.',
  };
}
