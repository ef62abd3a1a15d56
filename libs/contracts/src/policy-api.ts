/**
 * What the policy service's REST API returns, as the other services read it:
 * one definition for the server (policy) and its client (`@lapse/policy-client`).
 */
import type { Policy, Role } from './domain';

/** `GET /v1/users/:id` (and the items of `GET /v1/users`). */
export interface UserView {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  groupIds: string[];
  /** false: offboarded (rule 12): no grants, tokens refused. */
  active: boolean;
  /** The identity provider's id for the user (set by SCIM); sign-in may match on it. */
  externalId: string | null;
  createdAt: string;
}

/** `GET /v1/resources/:id`. */
export interface ResourceView {
  id: string;
  name: string;
  address: string;
  policy: Policy;
  approverGroupIds: string[];
  createdAt: string;
  updatedAt: string;
}

/** `GET /v1/resources/:id/approvers`: the approver groups and every member of them. */
export interface ApproversView {
  groupIds: string[];
  users: { id: string; email: string; name: string }[];
}

/** One page of a policy list (`GET /v1/users`, `GET /v1/resources`): follow `nextCursor` to null. */
export interface PageView<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /v1/internal/notification-settings` (service tokens): who is told of requests, and how. */
export interface NotificationSettingsView {
  emailEnabled: boolean;
  emailRoles: Role[];
  optedOutUserIds: string[];
  webhook: { url: string; secret: string } | null;
}
