import type { ApproversView, ResourceView, UserView } from '@lapse/contracts';
import type { PolicyClient } from '@lapse/policy-client';

/** The parts of the policy service's answers notifications reads (see docs/notifications.md). */
export type PolicyUser = Pick<UserView, 'id' | 'email' | 'name' | 'roles'>;
export type PolicyResource = Pick<ResourceView, 'id' | 'name' | 'address' | 'policy'>;
export type ApproverUser = ApproversView['users'][number];

/** The reads notifications needs from the policy service (never its tables). */
export type PolicyReads = Pick<
  PolicyClient,
  'user' | 'users' | 'resource' | 'approvers' | 'notificationSettings'
>;
