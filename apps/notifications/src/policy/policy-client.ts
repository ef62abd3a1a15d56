import { PolicyApi } from '@lapse/auth';
import type { Role } from '@lapse/contracts';
import type {
  ApproverUser,
  NotificationSettings,
  PolicyDirectory,
  PolicyResource,
  PolicyUser,
} from './policy.types';

/**
 * The policy service's internal API, called with a service token (never its tables). Failures
 * throw, so the consumer retries the event rather than losing it.
 */
export class PolicyClient implements PolicyDirectory {
  private readonly api: PolicyApi;

  constructor(baseUrl: string, serviceSecret: string, timeoutMs = 5_000) {
    this.api = new PolicyApi({ baseUrl, serviceSecret, service: 'notifications', timeoutMs });
  }

  user(id: string): Promise<PolicyUser | null> {
    return this.get<PolicyUser>(`/v1/users/${encodeURIComponent(id)}`, true);
  }

  /** Every active user holding `role`, all pages. */
  async usersWithRole(role: Role): Promise<PolicyUser[]> {
    const users: PolicyUser[] = [];
    const pageOf = (cursor: string | null) =>
      this.get<{ items: PolicyUser[]; nextCursor: string | null }>(
        `/v1/users?role=${encodeURIComponent(role)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        false,
      );
    let cursor: string | null = null;
    do {
      const page = await pageOf(cursor);
      users.push(...(page?.items ?? []));
      cursor = page?.nextCursor ?? null;
    } while (cursor);
    return users;
  }

  resource(id: string): Promise<PolicyResource | null> {
    return this.get<PolicyResource>(`/v1/resources/${encodeURIComponent(id)}`, true);
  }

  async approvers(resourceId: string): Promise<ApproverUser[]> {
    const body = await this.get<{ users: ApproverUser[] }>(
      `/v1/resources/${encodeURIComponent(resourceId)}/approvers`,
      true,
    );
    return body?.users ?? [];
  }

  async notificationSettings(): Promise<NotificationSettings> {
    const s = await this.get<NotificationSettings>('/v1/internal/notification-settings', false);
    if (!s) throw new Error('policy service returned no notification settings');
    return s;
  }

  private get<T>(path: string, notFoundIsNull: boolean): Promise<T | null> {
    return this.api.get<T>(path, notFoundIsNull ? [404] : []);
  }
}
