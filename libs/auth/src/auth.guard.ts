import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@lapse/contracts';
import { LapseError, PUBLIC_KEY } from '@lapse/platform';
import { ROLES_KEY, SERVICE_KEY } from './decorators';
import { USER_DIRECTORY, hasAnyRole, type Principal, type UserDirectory } from './principal';
import { TokenVerifier } from './tokens';

export const TOKEN_COOKIE = 'lapse_token';

/** Global guard: every route needs a valid token unless @Public(); @Roles narrows it. */
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
      if (!this.reflector.getAllAndOverride<boolean>(SERVICE_KEY, targets))
        throw LapseError.forbidden('not open to services');
      principal = { kind: 'service', service: claims.service };
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

/** Bearer header first; the pages send the same JWT as a cookie. */
export function tokenOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  const cookies = (req as Request & { cookies?: Record<string, string> }).cookies;
  return cookies?.[TOKEN_COOKIE] || undefined;
}
