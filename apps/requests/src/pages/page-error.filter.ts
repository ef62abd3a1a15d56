import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { LapseError, httpStatusOf, isDependencyDown } from '@lapse/platform';
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

/** Errors on the pages are pages too (HTML with the same status), never JSON or a stack. */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('pages');

  constructor(private readonly renderer: PageRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = describe(exception);
    if (status === 503) this.log.warn({ err: exception }, 'page dependency unavailable');
    else if (status >= 500) this.log.error({ err: exception }, 'page failed');
    if (res.headersSent) return;
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
          back: status === 401 ? null : '/access-requests',
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
          ? 'Your session is missing or has expired. Open this page again from the Lapse console.'
          : e.message,
    };
  }
  if (e instanceof HttpException) return { status: e.getStatus(), message: e.message };
  return {
    status: 500,
    message: 'Something went wrong on our side. Please try again in a moment.',
  };
}
