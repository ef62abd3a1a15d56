import type { Policy, Role } from '@lapse/contracts';

/** What the policy service's internal API returns (see docs/notifications.md). */
export interface PolicyUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

export interface PolicyResource {
  id: string;
  name: string;
  address: string;
  policy: Policy;
}

export interface ApproverUser {
  id: string;
  email: string;
  name: string;
}

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
