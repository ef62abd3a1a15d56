import { LapseError } from '@lapse/platform';
import { signServiceToken } from './tokens';

export interface PolicyApiOptions {
  /** LAPSE_POLICY_URL. */
  baseUrl: string;
  /** LAPSE_SERVICE_SECRET: the calls carry a service token. */
  serviceSecret: string;
  /** The calling service's name (the token's `svc`). */
  service: string;
  timeoutMs?: number;
}

/** How long a signed service token is reused (it lives five minutes). */
const TOKEN_REUSE_MS = 4 * 60_000;

/**
 * The policy service's API as the other services call it: `GET` with a service token. One place
 * decides what a failure means: the statuses a caller names (404 by default) are `null`; an
 * unreachable, timed-out or failing (5xx, 429) policy service is `LapseError` UNAVAILABLE (503
 * to an HTTP client, a retry for a consumer); any other answer is a bug and throws plainly.
 */
export class PolicyApi {
  private readonly baseUrl: string;
  private token?: { value: string; until: number };

  constructor(private readonly opts: PolicyApiOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  async get<T>(path: string, nullOn: readonly number[] = [404]): Promise<T | null> {
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
