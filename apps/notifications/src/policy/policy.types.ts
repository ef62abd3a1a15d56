import type { ApproversView, ResourceView, Role, UserView } from '@lapse/contracts';

/** The parts of the policy service's answers notifications reads (see docs/notifications.md). */
export type PolicyUser = Pick<UserView, 'id' | 'email' | 'name' | 'roles'>;
export type PolicyResource = Pick<ResourceView, 'id' | 'name' | 'address' | 'policy'>;
export type ApproverUser = ApproversView['users'][number];

export interface NotificationSettings {
  emailEnabled: boolean;
  emailRoles: Role[];
  optedOutUserIds: string[];
  webhook: { url: string; secret: string } | null;
}

/** The reads notifications needs from the policy service (never its tables). */
export interface PolicyDirectory {
  user(id: string): Promise<PolicyUser | null>;
  usersWithRole(role: Role): Promise<PolicyUser[]>;
  resource(id: string): Promise<PolicyResource | null>;
  approvers(resourceId: string): Promise<ApproverUser[]>;
  notificationSettings(): Promise<NotificationSettings>;
}
