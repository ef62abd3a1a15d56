import type {
  ApproversView,
  NotificationSettingsView,
  PageView,
  ResourceView,
  Role,
  UserView,
} from '@lapse/contracts';
import { signServiceToken } from '@lapse/auth';
import { LapseError } from '@lapse/platform';

export interface PolicyClientOptions {
  /** LAPSE_POLICY_URL. */
  baseUrl: string;
  /** LAPSE_SERVICE_SECRET: the calls carry a service token. */
  serviceSecret: string;
  /** The calling service's name (the token's `svc`). */
  service: string;
  /** How long one call may take (default 5 s). */
  timeoutMs?: number;
  /** How long an answer is reused when a read names no `maxAgeMs` (default 0: always ask). */
  cacheMs?: number;
}

/** How fresh one read must be: an answer younger than `maxAgeMs` is reused (0: ask policy now). */
export interface ReadOptions {
  maxAgeMs?: number;
}

/** Which users a list read returns (the filters of `GET /v1/users`). */
export interface UserFilter {
  email?: string;
  externalId?: string;
  role?: Role;
}

/** How long a signed service token is reused (it lives five minutes). */
const TOKEN_REUSE_MS = 4 * 60_000;
/** Items per page when a list is read to its end. */
const PAGE_LIMIT = 1000;
/** A list longer than this many pages is a bug (or a loop), not a directory. */
const MAX_PAGES = 1000;
/** Answers kept at most; the oldest goes first. */
const CACHE_ENTRIES = 5000;

/**
 * The policy service's REST API as the other services call it (`GET` with a service token), on
 * the contract's view types. One place decides what a failure means: a record that does not
 * exist (404, or 400 for an id that cannot be one) is `null`; an unreachable, timed-out or failing
 * (5xx, 429) policy service is `LapseError` UNAVAILABLE (503 to an HTTP client, a retry for a
 * consumer); any other answer is a bug and throws plainly. One cache: each read says how old an
 * answer it accepts; failures are never reused.
 */
export class PolicyClient {
  private readonly baseUrl: string;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  private token?: { value: string; until: number };

  constructor(private readonly opts: PolicyClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** `GET /v1/users/:id`: the user, inactive (offboarded) ones included; null if unknown. */
  user(id: string, read?: ReadOptions): Promise<UserView | null> {
    return this.read(`/v1/users/${encodeURIComponent(id)}`, read, [400, 404]);
  }

  /**
   * `GET /v1/users` with `filter`, every page. A filter value policy refuses (400: not an email)
   * matches nobody.
   */
  async users(filter: UserFilter = {}, read?: ReadOptions): Promise<UserView[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, v);
    const nullOn = q.size > 0 ? [400] : [];
    return this.cached(`/v1/users?${q}`, read, () => this.all<UserView>('/v1/users', q, nullOn));
  }

  /** `GET /v1/resources/:id`; null if unknown. */
  resource(id: string, read?: ReadOptions): Promise<ResourceView | null> {
    return this.read(`/v1/resources/${encodeURIComponent(id)}`, read, [400, 404]);
  }

  /** `GET /v1/resources`, every page. */
  resources(read?: ReadOptions): Promise<ResourceView[]> {
    return this.cached('/v1/resources', read, () =>
      this.all<ResourceView>('/v1/resources', new URLSearchParams(), []),
    );
  }

  /** `GET /v1/resources/:id/approvers`: the approver groups and their members; null if unknown. */
  approvers(resourceId: string, read?: ReadOptions): Promise<ApproversView | null> {
    return this.read(`/v1/resources/${encodeURIComponent(resourceId)}/approvers`, read, [400, 404]);
  }

  /** Whether `userId` is a member of one of the resource's approver groups. */
  async isApprover(userId: string, resourceId: string, read?: ReadOptions): Promise<boolean> {
    const approvers = await this.approvers(resourceId, read);
    return approvers?.users.some((u) => u.id === userId) ?? false;
  }

  /** Of `resourceIds`, those `userId` approves. */
  async approvedBy(
    userId: string,
    resourceIds: readonly string[],
    read?: ReadOptions,
  ): Promise<string[]> {
    const flags = await Promise.all(resourceIds.map((id) => this.isApprover(userId, id, read)));
    return resourceIds.filter((_, i) => flags[i]);
  }

  /** `GET /v1/internal/notification-settings`. */
  async notificationSettings(read?: ReadOptions): Promise<NotificationSettingsView> {
    const s = await this.read<NotificationSettingsView>(
      '/v1/internal/notification-settings',
      read,
      [],
    );
    if (!s) throw new Error('policy service returned no notification settings');
    return s;
  }

  private read<T>(path: string, read: ReadOptions | undefined, nullOn: number[]) {
    return this.cached(path, read, () => this.get<T>(path, nullOn));
  }

  /** Every item of a list endpoint, its `{items, nextCursor}` pages followed to the end. */
  private async all<T>(path: string, q: URLSearchParams, nullOn: number[]): Promise<T[]> {
    const out: T[] = [];
    q.set('limit', String(PAGE_LIMIT));
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await this.get<PageView<T>>(`${path}?${q}`, nullOn);
      if (!page) return out;
      out.push(...page.items);
      if (!page.nextCursor) return out;
      q.set('cursor', page.nextCursor);
    }
    throw new Error(`policy service: ${path} has more than ${MAX_PAGES} pages`);
  }

  private cached<T>(key: string, read: ReadOptions | undefined, load: () => Promise<T>) {
    const maxAgeMs = read?.maxAgeMs ?? this.opts.cacheMs ?? 0;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < maxAgeMs) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: now, value });
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    if (this.cache.size > CACHE_ENTRIES)
      this.cache.delete(this.cache.keys().next().value as string);
    return value;
  }

  private async get<T>(path: string, nullOn: readonly number[]): Promise<T | null> {
    const headers = {
      authorization: `Bearer ${await this.serviceToken()}`,
      accept: 'application/json',
    };
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        headers,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
      });
    } catch (e) {
      throw LapseError.unavailable('the policy service', e);
    }
    if (nullOn.includes(res.status)) return null;
    if (res.status >= 500 || res.status === 429) {
      throw LapseError.unavailable(
        'the policy service',
        new Error(`policy service answered ${res.status} for GET ${path}`),
      );
    }
    if (!res.ok) throw new Error(`policy service answered ${res.status} for GET ${path}`);
    return (await res.json()) as T;
  }

  private async serviceToken(): Promise<string> {
    const now = Date.now();
    if (!this.token || this.token.until <= now) {
      this.token = {
        value: await signServiceToken(this.opts.serviceSecret, this.opts.service, 'policy'),
        until: now + TOKEN_REUSE_MS,
      };
    }
    return this.token.value;
  }
}
