import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@lapse/contracts';
import { LapseError, PUBLIC_KEY } from '@lapse/platform';
import { ROLES_KEY, SERVICE_KEY } from './decorators';
import { USER_DIRECTORY, hasAnyRole, type Principal, type UserDirectory } from './principal';
import { TokenVerifier } from './tokens';

/**
 * Global guard: every route needs a valid token unless @Public(); @Roles narrows it; a service
 * token passes only where @AllowService lists its caller. Bearer tokens only: no cookie is ever
 * read, so a cross-site form cannot act for a signed-in user (the pages, in the console, keep
 * their own session).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    @Inject(USER_DIRECTORY) private readonly directory: UserDirectory,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const token = tokenOf(req);
    if (!token) throw LapseError.unauthorized();
    const claims = await this.verifier.verify(token).catch(() => {
      throw LapseError.unauthorized('invalid or expired token');
    });
    let principal: Principal;
    if (claims.kind === 'service') {
      const callers = this.reflector.getAllAndOverride<string[] | undefined>(SERVICE_KEY, targets);
      if (!callers?.includes(claims.service))
        throw LapseError.forbidden(`not open to ${claims.service} tokens`);
      principal = { kind: 'service', service: claims.service, proxyId: claims.proxyId };
    } else {
      const user = await this.directory.findById(claims.userId);
      if (!user) throw LapseError.unauthorized('unknown user');
      principal = { kind: 'user', ...user };
      const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
      if (roles && roles.length > 0 && !hasAnyRole(principal, roles)) throw LapseError.forbidden();
    }
    req.principal = principal;
    return true;
  }
}

/** The Bearer token of the request, if any. */
export function tokenOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  return undefined;
}
