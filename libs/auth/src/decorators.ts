import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@lapse/contracts';
export { Public, PUBLIC_KEY } from '@lapse/platform';
import type { Principal } from './principal';

export const ROLES_KEY = 'lapse:roles';
export const SERVICE_KEY = 'lapse:service';

/** The caller must hold one of these roles. Without it, any authenticated user passes. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * These callers may call this with a service token too: Lapse services by name (`requests`,
 * `notifications`, …) or `proxy` (proxy tokens). Every other service token is refused (403).
 */
export const AllowService = (...callers: [string, ...string[]]) =>
  SetMetadata(SERVICE_KEY, callers);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
