/**
 * Who may do what in the admin console. The services decide in the end (every call is made as
 * the signed-in user); these rules shape the pages: read-only roles see no forms, and the role
 * checkboxes a user may not change are shown disabled with the reason (rule 13).
 */
import type { Role } from '@lapse/contracts';
import { PRIVILEGED_ROLES } from '@lapse/domain';

/** Read the console's pages: every console role (SUPPORT and ACCESS_REVIEWER read only). */
export const CONSOLE_READ_ROLES: readonly Role[] = [
  'ADMIN',
  'DEVOPS',
  'SUPPORT',
  'ACCESS_REVIEWER',
];
/** Change policy, groups, users and settings. */
export const CONSOLE_WRITE_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS'];
/** Decide access requests for every resource (rule 6). */
export const REVIEWER_ROLES: readonly Role[] = ['ADMIN', 'DEVOPS', 'ACCESS_REVIEWER'];

const any = (have: readonly Role[], of: readonly Role[]) => have.some((r) => of.includes(r));

export const canReadConsole = (roles: readonly Role[]) => any(roles, CONSOLE_READ_ROLES);
export const canEdit = (roles: readonly Role[]) => any(roles, CONSOLE_WRITE_ROLES);
export const canReview = (roles: readonly Role[]) => any(roles, REVIEWER_ROLES);

export interface RoleChoice {
  role: Role;
  label: string;
  checked: boolean;
  /** Why it cannot be changed by this user, or null when it can. */
  locked: string | null;
}

export const ROLE_LABELS: Record<Role, string> = {
  ADMIN: 'Admin',
  DEVOPS: 'DevOps',
  SUPPORT: 'Support (read only)',
  ACCESS_REVIEWER: 'Access reviewer',
};

/** The role checkboxes of a user's page, for `actor` (rule 13). */
export function roleChoices(
  actor: { id: string; roles: readonly Role[] },
  target: { id: string; roles: readonly Role[] },
): RoleChoice[] {
  const self = actor.id === target.id;
  const admin = actor.roles.includes('ADMIN');
  const targetPrivileged = any(target.roles, PRIVILEGED_ROLES);
  return (Object.keys(ROLE_LABELS) as Role[]).map((role) => ({
    role,
    label: ROLE_LABELS[role],
    checked: target.roles.includes(role),
    locked: !canEdit(actor.roles)
      ? 'read only'
      : self
        ? 'nobody changes their own roles'
        : !admin && PRIVILEGED_ROLES.includes(role)
          ? 'only an Admin grants or removes it'
          : !admin && targetPrivileged
            ? 'only an Admin changes an Admin or DevOps user'
            : null,
  }));
}

/**
 * The roles to save from a roles form: the ticked boxes for roles the actor may change, the
 * current value for the others (a disabled checkbox is not posted).
 */
export function rolesFromForm(choices: readonly RoleChoice[], ticked: readonly string[]): Role[] {
  return choices.filter((c) => (c.locked ? c.checked : ticked.includes(c.role))).map((c) => c.role);
}
