import { Injectable } from '@nestjs/common';
import type {
  AccessRequest,
  EffectivePolicy,
  GrantState,
  PolicyOverride,
  ResourceView,
  UserView,
} from '@lapse/contracts';
import { UserApi, type Caller } from '../services/user-api';

/** The shapes of the policy service's admin API the console reads (its REST answers). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
/** A user as pages name them. */
export interface Person {
  id: string;
  name: string;
  email: string;
  active: boolean;
}

export interface GroupSummary {
  id: string;
  name: string;
  memberCount: number;
  createdAt: string;
}
export interface GroupView {
  id: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}
export interface AssignmentView {
  resourceId: string;
  groupId: string;
  policy: PolicyOverride;
  expiresAt: string | null;
}
export interface ResourceGrant {
  userId: string;
  email: string;
  name: string;
  userActive: boolean;
  state: GrantState | null;
  lastAccessAt: string | null;
  lockedAt: string | null;
  activeUntil: string | null;
  lastAdminUnlockAt: string | null;
  lastAdminUnlockBy?: string | null;
  openRequest: AccessRequest | null;
}
export interface UserGrant {
  resourceId: string;
  resourceName?: string;
  state: GrantState | null;
  policy: EffectivePolicy | null;
  policySource: { groupIds: string[]; origin: string } | null;
  lastAccessAt: string | null;
  lockedAt: string | null;
  activeUntil: string | null;
  lastAdminUnlockAt: string | null;
}
export interface AuditEntry {
  id: string;
  category: string;
  action: string;
  actorId: string | null;
  entityType: string;
  entityId: string;
  resourceId: string | null;
  userId: string | null;
  before: unknown;
  after: unknown;
  at: string;
}
export interface NotificationSettings {
  emailEnabled: boolean;
  emailRoles: string[];
  optedOutUserIds: string[];
  webhook: { url: string; secret: string } | null;
}
export interface WebhookTestResult {
  url: string;
  delivered: boolean;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
}

/** A list answer: a page, or (older policy versions) a bare array. */
type Listed<T> = Page<T> | T[];
const pageOf = <T>(l: Listed<T>): Page<T> =>
  Array.isArray(l) ? { items: l, nextCursor: null } : l;

const q = (params: Record<string, string | number | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const str = s.toString();
  return str ? `?${str}` : '';
};
const id = encodeURIComponent;

/** How many items the pages' pickers (groups to add, users to add) read at most. */
const PICKER_LIMIT = 1000;

/**
 * The admin REST APIs as the signed-in user (policy, requests, notifications), one method per
 * call the pages make. Every list pages with `?limit=&cursor=`.
 */
@Injectable()
export class AdminApi {
  constructor(private readonly api: UserApi) {}

  // Resources
  async resources(c: Caller, p: { q?: string; cursor?: string; limit?: number }) {
    return pageOf(
      await this.api.policy<Listed<ResourceView>>(
        c,
        'GET',
        `/v1/resources${q({ q: p.q, cursor: p.cursor, limit: p.limit })}`,
      ),
    );
  }
  resource(c: Caller, resourceId: string) {
    return this.api.policy<ResourceView>(c, 'GET', `/v1/resources/${id(resourceId)}`);
  }
  createResource(c: Caller, body: { name: string; address: string }) {
    return this.api.policy<ResourceView>(c, 'POST', '/v1/resources', body);
  }
  updateResource(c: Caller, resourceId: string, body: object) {
    return this.api.policy<ResourceView>(c, 'PATCH', `/v1/resources/${id(resourceId)}`, body);
  }
  setApprovers(c: Caller, resourceId: string, groupIds: string[]) {
    return this.api.policy<ResourceView>(c, 'PUT', `/v1/resources/${id(resourceId)}/approvers`, {
      groupIds,
    });
  }
  async assignments(c: Caller, resourceId: string) {
    return pageOf(
      await this.api.policy<Listed<AssignmentView>>(
        c,
        'GET',
        `/v1/resources/${id(resourceId)}/assignments${q({ limit: PICKER_LIMIT })}`,
      ),
    ).items;
  }
  putAssignment(
    c: Caller,
    resourceId: string,
    groupId: string,
    body: { policy?: PolicyOverride; expiresAt?: string | null },
  ) {
    return this.api.policy<AssignmentView>(
      c,
      'PUT',
      `/v1/resources/${id(resourceId)}/assignments/${id(groupId)}`,
      body,
    );
  }
  removeAssignment(c: Caller, resourceId: string, groupId: string) {
    return this.api.policy<void>(
      c,
      'DELETE',
      `/v1/resources/${id(resourceId)}/assignments/${id(groupId)}`,
    );
  }
  async resourceGrants(c: Caller, resourceId: string, cursor?: string) {
    return pageOf(
      await this.api.policy<Listed<ResourceGrant>>(
        c,
        'GET',
        `/v1/resources/${id(resourceId)}/grants${q({ cursor })}`,
      ),
    );
  }

  // Groups
  async groups(c: Caller, p: { cursor?: string; limit?: number } = {}) {
    return pageOf(
      await this.api.policy<Listed<GroupSummary>>(
        c,
        'GET',
        `/v1/groups${q({ cursor: p.cursor, limit: p.limit })}`,
      ),
    );
  }
  /** Every group (for pickers and names), up to PICKER_LIMIT. */
  async allGroups(c: Caller) {
    return (await this.groups(c, { limit: PICKER_LIMIT })).items;
  }
  group(c: Caller, groupId: string) {
    return this.api.policy<GroupView>(c, 'GET', `/v1/groups/${id(groupId)}`);
  }
  createGroup(c: Caller, name: string) {
    return this.api.policy<GroupView>(c, 'POST', '/v1/groups', { name });
  }
  addMember(c: Caller, groupId: string, userId: string) {
    return this.api.policy<GroupView>(c, 'POST', `/v1/groups/${id(groupId)}/members`, { userId });
  }
  removeMember(c: Caller, groupId: string, userId: string) {
    return this.api.policy<void>(c, 'DELETE', `/v1/groups/${id(groupId)}/members/${id(userId)}`);
  }
  async groupAssignments(c: Caller, groupId: string) {
    return pageOf(
      await this.api.policy<Listed<AssignmentView>>(
        c,
        'GET',
        `/v1/groups/${id(groupId)}/assignments${q({ limit: PICKER_LIMIT })}`,
      ),
    ).items;
  }

  // Users
  async users(c: Caller, p: { q?: string; cursor?: string; limit?: number }) {
    return pageOf(
      await this.api.policy<Listed<UserView>>(
        c,
        'GET',
        `/v1/users${q({ q: p.q, cursor: p.cursor, limit: p.limit })}`,
      ),
    );
  }
  async userByEmail(c: Caller, email: string): Promise<UserView | null> {
    return (
      pageOf(await this.api.policy<Listed<UserView>>(c, 'GET', `/v1/users${q({ email })}`))
        .items[0] ?? null
    );
  }
  user(c: Caller, userId: string) {
    return this.api.policy<UserView>(c, 'GET', `/v1/users/${id(userId)}`);
  }
  /** A user as a page names them; one that cannot be read (e.g. deleted) is "Unknown user", by id. */
  person(c: Caller, userId: string): Promise<Person> {
    return this.user(c, userId).then(
      (u) => ({ id: u.id, name: u.name, email: u.email, active: u.active }),
      () => ({ id: userId, name: 'Unknown user', email: userId, active: false }),
    );
  }
  createUser(c: Caller, body: { email: string; name: string }) {
    return this.api.policy<UserView>(c, 'POST', '/v1/users', body);
  }
  updateUser(c: Caller, userId: string, body: object) {
    return this.api.policy<UserView>(c, 'PATCH', `/v1/users/${id(userId)}`, body);
  }
  offboard(c: Caller, userId: string) {
    return this.api.policy<void>(c, 'DELETE', `/v1/users/${id(userId)}`);
  }
  async userGrants(c: Caller, userId: string) {
    return pageOf(
      await this.api.policy<Listed<UserGrant>>(
        c,
        'GET',
        `/v1/users/${id(userId)}/grants${q({ limit: PICKER_LIMIT })}`,
      ),
    ).items;
  }
  unlock(c: Caller, userId: string, resourceId: string) {
    return this.api.policy<unknown>(
      c,
      'POST',
      `/v1/users/${id(userId)}/resources/${id(resourceId)}/unlock`,
    );
  }

  // Reports (CSV)
  report(c: Caller, kind: 'resources' | 'groups' | 'users', entityId: string) {
    return this.api.download(c, 'policy', `/v1/${kind}/${id(entityId)}/report.csv`);
  }

  // Audit log
  async auditLog(c: Caller, filter: Record<string, string | undefined>) {
    return pageOf(
      await this.api.policy<Listed<AuditEntry>>(c, 'GET', `/v1/audit-logs${q(filter)}`),
    );
  }

  // Settings
  notificationSettings(c: Caller) {
    return this.api.policy<NotificationSettings>(c, 'GET', '/v1/settings/notifications');
  }
  putNotificationSettings(c: Caller, body: object) {
    return this.api.policy<NotificationSettings>(c, 'PUT', '/v1/settings/notifications', body);
  }
  webhookTest(c: Caller) {
    return this.api.policy<WebhookTestResult>(
      c,
      'POST',
      '/v1/settings/notifications/webhook-test',
      {},
    );
  }
  scimToken(c: Caller) {
    return this.api.policy<{ token: string }>(c, 'POST', '/v1/settings/scim-token', {});
  }

  // Requests
  /** The first page of open requests (oldest first): what a resource or user page shows. */
  async openRequests(c: Caller, filter: { resourceId?: string; userId?: string }) {
    const page = await this.api.requests<Page<AccessRequest>>(
      c,
      'GET',
      `/v1/access-requests${q({ status: 'OPEN', ...filter })}`,
    );
    return page.items;
  }
  decide(c: Caller, requestId: string, decision: 'approve' | 'deny', note?: string) {
    return this.api.requests<AccessRequest>(
      c,
      'POST',
      `/v1/access-requests/${id(requestId)}/${decision}`,
      note ? { note } : {},
    );
  }
}
