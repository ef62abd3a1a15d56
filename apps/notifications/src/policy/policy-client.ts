import { signServiceToken } from '@lapse/auth';
import type { Role } from '@lapse/contracts';
import type { ApproverUser, NotificationSettings, PolicyDirectory, PolicyResource, PolicyUser } from './policy.types';

/** The policy service's internal API, called with a service token (never its tables). */
export class PolicyClient implements PolicyDirectory {
  constructor(
    private readonly baseUrl: string,
    private readonly serviceSecret: string,
    private readonly timeoutMs = 5_000,
  ) {}

  user(id: string): Promise<PolicyUser | null> {
    return this.get<PolicyUser>(`/v1/users/${encodeURIComponent(id)}`, true);
  }

  async usersWithRole(role: Role): Promise<PolicyUser[]> {
    return (await this.get<PolicyUser[]>(`/v1/users?role=${encodeURIComponent(role)}`, false)) ?? [];
  }

  resource(id: string): Promise<PolicyResource | null> {
    return this.get<PolicyResource>(`/v1/resources/${encodeURIComponent(id)}`, true);
  }

  async approvers(resourceId: string): Promise<ApproverUser[]> {
    const body = await this.get<{ users: ApproverUser[] }>(`/v1/resources/${encodeURIComponent(resourceId)}/approvers`, true);
    return body?.users ?? [];
  }

  async notificationSettings(): Promise<NotificationSettings> {
    const s = await this.get<NotificationSettings>('/v1/internal/notification-settings', false);
    if (!s) throw new Error('policy service returned no notification settings');
    return s;
  }

  /** null on 404 (when `notFoundIsNull`); throws on anything else that is not 2xx, so the caller retries. */
  private async get<T>(path: string, notFoundIsNull: boolean): Promise<T | null> {
    const token = await signServiceToken(this.serviceSecret, 'notifications');
    const res = await fetch(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status === 404 && notFoundIsNull) return null;
    if (!res.ok) throw new Error(`policy service answered ${res.status} for GET ${path}`);
    return (await res.json()) as T;
  }
}
