import type { Role } from '@lapse/contracts';
import type { SessionEndReason } from './session.store';

/**
 * Whether a session may go on, given its user as policy answers now (null: no such user).
 * Rule 12: a deactivated or deleted user loses every session; a role change ends the session too
 * (the pages and menus were built for the old roles; signing in again takes a moment).
 */
export function sessionVerdict(
  session: { roles: readonly Role[] },
  user: { roles: readonly Role[]; active?: boolean } | null,
): 'OK' | SessionEndReason {
  if (!user) return 'USER_GONE';
  if (user.active === false) return 'USER_INACTIVE';
  if (!sameRoles(session.roles, user.roles)) return 'ROLES_CHANGED';
  return 'OK';
}

export function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((r, i) => r === y[i]);
}
