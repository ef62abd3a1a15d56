import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { LapseError, errorBody, httpStatusOf } from './errors';

/** Renders every error as `{statusCode, error, message}`; only unexpected errors are 500 and logged. */
@Catch()
export class LapseExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    if (res.headersSent) return;
    res.status(status).json(errorBody(status, message));
  }

  private describe(exception: unknown): { status: number; message: string } {
    if (exception instanceof LapseError) {
      return { status: httpStatusOf(exception.kind), message: exception.message };
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const raw =
        typeof body === 'string' ? body : (body as { message?: string | string[] }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : (raw ?? exception.message);
      return { status: exception.getStatus(), message };
    }
    // body-parser errors (malformed JSON, too large) carry a status and a type.
    const e = exception as { status?: number; type?: string; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      const message =
        e.type === 'entity.parse.failed'
          ? 'body: malformed JSON'
          : e.type === 'entity.too.large'
            ? 'body: request body too large'
            : (e.message ?? 'bad request');
      return { status: e.status, message };
    }
    return { status: 500, message: 'internal error' };
  }
}
