import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { LapseError, httpStatusOf, isDependencyDown } from '@lapse/platform';
import { SCIM_CONTENT_TYPE } from './scim-http.middleware';
import { ScimError, scimErrorBody, type ScimType } from './scim.errors';

/**
 * Renders every error of the SCIM routes as a SCIM error (`urn:ietf:params:scim:api:messages:2.0:Error`,
 * `status` as a string, `scimType` for the 400s and 409s). The service's own typed errors map to
 * their statuses; a dependency that is down is a 503 with Retry-After; anything else is a 500.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('scim');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, detail, scimType } = describe(exception);
    if (status === 503) this.logger.warn({ err: exception }, 'dependency unavailable');
    else if (status >= 500 && status !== 501)
      this.logger.error({ err: exception }, 'unhandled error');
    if (res.headersSent) return;
    if (status === 503) res.setHeader('Retry-After', '5');
    res
      .status(status)
      .type(SCIM_CONTENT_TYPE)
      .send(JSON.stringify(scimErrorBody(status, detail, scimType)));
  }
}

function describe(e: unknown): { status: number; detail: string; scimType?: ScimType } {
  if (e instanceof ScimError) return { status: e.status, detail: e.message, scimType: e.scimType };
  if (e instanceof LapseError) {
    const status = httpStatusOf(e.kind);
    if (e.kind === 'VALIDATION') return { status, detail: e.message, scimType: 'invalidValue' };
    return { status, detail: e.message };
  }
  if (e instanceof HttpException) {
    const body = e.getResponse();
    const raw = typeof body === 'string' ? body : (body as { message?: string | string[] }).message;
    return {
      status: e.getStatus(),
      detail: Array.isArray(raw) ? raw.join('; ') : (raw ?? e.message),
    };
  }
  if (isDependencyDown(e))
    return { status: 503, detail: 'a service Lapse depends on is unavailable: try again shortly' };
  return { status: 500, detail: 'internal error' };
}
