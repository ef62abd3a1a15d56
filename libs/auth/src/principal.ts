import type { Role } from '@lapse/contracts';

/** A user as the policy service knows them (roles live on the user record). */
export interface DirectoryUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

/** A user, or a service token's caller (`proxy` with the proxy's id for proxy tokens). */
export type Principal =
  | ({ kind: 'user' } & DirectoryUser)
  | { kind: 'service'; service: string; proxyId?: string };

/** Resolves a token's subject to the current user record; null when the user does not exist. */
export interface UserDirectory {
  findById(id: string): Promise<DirectoryUser | null>;
}
export const USER_DIRECTORY = Symbol('USER_DIRECTORY');

export function hasAnyRole(p: Principal, roles: readonly Role[]): boolean {
  return p.kind === 'user' && p.roles.some((r) => roles.includes(r));
}

/** Roles that may change policy (writes need ADMIN or DEVOPS). */
export const WRITER_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS'];
/** Roles that may read the admin API. */
export const READER_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER'];
/** Roles that may review every request (rule 6); approver-group members review their resources. */
export const REVIEWER_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS', 'ACCESS_REVIEWER'];

/**
 * The services that look callers up in the policy service (`GET /v1/users/:id`, the user
 * directory of every service but policy).
 */
export const USER_DIRECTORY_CALLERS = [
  'access-tracking',
  'requests',
  'notifications',
  'grant-worker',
  'console',
] as const satisfies readonly string[];
