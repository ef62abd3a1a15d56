import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { LapseError, errorBody, httpStatusOf, isDependencyDown } from './errors';

/**
 * Renders every error as `{statusCode, error, message}`. A dependency that is down is a 503 with
 * Retry-After (logged as a warning); only unexpected errors are 500 and logged as errors.
 */
@Catch()
export class LapseExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception);
    if (status === 503) this.logger.warn({ err: exception }, 'dependency unavailable');
    else if (status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    if (res.headersSent) return;
    if (status === 503) res.setHeader('Retry-After', '5');
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
    // Other client errors from Express middleware (e.g. an unsupported charset) carry a status.
    const e = exception as { status?: number; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return { status: e.status, message: e.message ?? 'bad request' };
    }
    if (isDependencyDown(exception))
      return {
        status: 503,
        message: 'a service Lapse depends on is unavailable: try again shortly',
      };
    return { status: 500, message: 'internal error' };
  }
}
