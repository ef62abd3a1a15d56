import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ScimTokenService } from './scim-token.service';
import { ScimError } from './scim.errors';

/**
 * The SCIM routes' own guard: only the SCIM token passes (a Lapse user or service token does not),
 * and the SCIM token passes nowhere else (the routes are @Public() for the global JWT guard, and
 * every other route verifies JWTs only).
 */
@Injectable()
export class ScimTokenGuard implements CanActivate {
  constructor(private readonly tokens: ScimTokenService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const header = ctx.switchToHttp().getRequest<Request>().headers.authorization;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!token) throw ScimError.unauthorized();
    if (!(await this.tokens.verify(token))) throw ScimError.unauthorized('invalid SCIM token');
    return true;
  }
}
