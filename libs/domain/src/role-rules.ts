/**
 * Who may change whom (rule 13), as pure functions: the service loads the facts, these decide.
 * - Only an ADMIN grants or takes away the ADMIN or DEVOPS role, and only an ADMIN changes an
 *   ADMIN or DEVOPS (their name, their active flag, offboarding them).
 * - Nobody changes their own roles or offboards themselves.
 * - The last active ADMIN can be neither demoted nor offboarded: the organisation would be left
 *   with nobody able to run it.
 */
import type { Role } from '@lapse/contracts/workflow';

/** Roles only an ADMIN may grant, take away, or manage the holders of. */
export const PRIVILEGED_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS'];

export interface Actor {
  /** null for a service or the system. */
  id: string | null;
  roles: readonly Role[];
}

export interface TargetUser {
  id: string;
  roles: readonly Role[];
  active: boolean;
}

/** What the caller wants to change on the target. */
export interface UserChange {
  roles?: readonly Role[];
  /** false = offboard (PATCH active:false or DELETE). */
  active?: boolean;
  /** Any other field (the name): needs no more than the write roles, unless the target is privileged. */
  other?: boolean;
}

export type RoleRuleRefusal =
  | { kind: 'FORBIDDEN'; message: string }
  | { kind: 'CONFLICT'; message: string };

const isPrivileged = (roles: readonly Role[]) => roles.some((r) => PRIVILEGED_ROLES.includes(r));
const isAdmin = (a: Actor) => a.roles.includes('ADMIN');

/** The roles gained and lost by going from `before` to `after`. */
export function roleDiff(
  before: readonly Role[],
  after: readonly Role[],
): { added: Role[]; removed: Role[] } {
  return {
    added: after.filter((r) => !before.includes(r)),
    removed: before.filter((r) => !after.includes(r)),
  };
}

/** Creating a user with `roles`: only an ADMIN creates an ADMIN or DEVOPS. */
export function checkNewUserRoles(actor: Actor, roles: readonly Role[]): RoleRuleRefusal | null {
  if (isPrivileged(roles) && !isAdmin(actor))
    return { kind: 'FORBIDDEN', message: 'only an ADMIN grants the ADMIN or DEVOPS role' };
  return null;
}

/**
 * Whether `actor` may apply `change` to `target`. `otherActiveAdmins` counts the active ADMINs
 * other than the target (read under a lock, so two concurrent demotions cannot both pass).
 */
export function checkUserChange(
  actor: Actor,
  target: TargetUser,
  change: UserChange,
  otherActiveAdmins: number,
): RoleRuleRefusal | null {
  const self = actor.id !== null && actor.id === target.id;
  const diff = change.roles ? roleDiff(target.roles, change.roles) : { added: [], removed: [] };
  const rolesChange = diff.added.length + diff.removed.length > 0;
  const offboarding = change.active === false && target.active;
  if (self && rolesChange) return { kind: 'FORBIDDEN', message: 'nobody changes their own roles' };
  if (self && offboarding) return { kind: 'FORBIDDEN', message: 'nobody offboards themselves' };
  if (!isAdmin(actor)) {
    if (isPrivileged(diff.added) || isPrivileged(diff.removed))
      return {
        kind: 'FORBIDDEN',
        message: 'only an ADMIN grants or removes the ADMIN or DEVOPS role',
      };
    const touches = rolesChange || change.active !== undefined || change.other === true;
    if (!self && touches && isPrivileged(target.roles))
      return { kind: 'FORBIDDEN', message: 'only an ADMIN changes an ADMIN or DEVOPS user' };
  }
  const losesAdmin =
    target.active &&
    target.roles.includes('ADMIN') &&
    (offboarding || diff.removed.includes('ADMIN'));
  if (losesAdmin && otherActiveAdmins === 0)
    return { kind: 'CONFLICT', message: 'the last active ADMIN cannot be removed or demoted' };
  return null;
}
