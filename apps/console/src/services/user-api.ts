import { Inject, Injectable } from '@nestjs/common';
import { signUserToken } from '@lapse/auth';
import { LapseError, type LapseErrorKind } from '@lapse/platform';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';

/** The signed-in user the call is made for. */
export interface Caller {
  user: { id: string };
}

const KIND_OF: Record<number, LapseErrorKind> = {
  400: 'VALIDATION',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
};

/**
 * The services' REST APIs as the signed-in user: each call carries a Lapse user token the console
 * signs for it (`sub` = the user id, a minute long), so the services check who calls exactly as for
 * any API client. Answers keep their meaning: 4xx become the same LapseError (the field of a 400
 * kept), a service down or failing is UNAVAILABLE (503 page), never a 500.
 */
@Injectable()
export class UserApi {
  private readonly tokens = new Map<string, { value: string; until: number }>();

  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  /** `method path` on the requests service. */
  requests<T>(
    caller: Caller,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return this.call<T>(
      'the requests service',
      this.config.LAPSE_REQUESTS_URL,
      caller,
      method,
      path,
      body,
      headers,
    );
  }

  /** `method path` on the policy service. */
  policy<T>(
    caller: Caller,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    return this.call<T>(
      'the policy service',
      this.config.LAPSE_POLICY_URL,
      caller,
      method,
      path,
      body,
      {},
    );
  }

  /** A file (a CSV report) from `service`, as the bytes and headers it answered with. */
  async download(
    caller: Caller,
    service: 'policy',
    path: string,
  ): Promise<{ body: Buffer; contentType: string; disposition: string | null }> {
    const base = this.config.LAPSE_POLICY_URL;
    let res: Response;
    try {
      res = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
        headers: { authorization: `Bearer ${await this.tokenFor(caller.user.id)}` },
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw LapseError.unavailable(`the ${service} service`, e);
    }
    if (!res.ok) return this.refusal(`the ${service} service`, 'GET', path, res, await res.text());
    return {
      body: Buffer.from(await res.arrayBuffer()),
      contentType: res.headers.get('content-type') ?? 'text/csv',
      disposition: res.headers.get('content-disposition'),
    };
  }

  /** A short-lived user token for `userId` (reused while more than half its life is left). */
  async tokenFor(userId: string): Promise<string> {
    const now = Date.now();
    const hit = this.tokens.get(userId);
    if (hit && hit.until > now) return hit.value;
    const ttl = this.config.LAPSE_USER_TOKEN_TTL_SECONDS;
    const value = await signUserToken(this.config.LAPSE_JWT_SECRET as string, userId, `${ttl}s`, {
      issuer: this.config.LAPSE_JWT_ISSUER,
      audience: this.config.LAPSE_JWT_AUDIENCE,
    });
    if (this.tokens.size > 10_000) this.tokens.clear();
    this.tokens.set(userId, { value, until: now + (ttl * 1000) / 2 });
    return value;
  }

  private async call<T>(
    what: string,
    baseUrl: string,
    caller: Caller,
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await this.tokenFor(caller.user.id)}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      throw LapseError.unavailable(what, e);
    }
    const text = await res.text();
    if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
    return this.refusal(what, method, path, res, text);
  }

  /** A service's 4xx/5xx answer as the LapseError the pages show. */
  private refusal(what: string, method: string, path: string, res: Response, text: string): never {
    const message = messageOf(text) ?? `${what} answered ${res.status}`;
    const kind = KIND_OF[res.status];
    if (kind === 'VALIDATION') {
      // "field: message" from the service: keep the field so a form can show it by its input.
      const m = /^([\w.[\]]+): (.*)$/s.exec(message);
      throw new LapseError('VALIDATION', message, m?.[1]);
    }
    if (kind) throw new LapseError(kind, message);
    if (res.status === 401)
      throw LapseError.forbidden(`${what} did not accept your session: ${message}`);
    throw LapseError.unavailable(what, new Error(`${method} ${path} → ${res.status}: ${message}`));
  }
}

function messageOf(text: string): string | null {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    return typeof m === 'string' ? m : Array.isArray(m) ? m.join('; ') : null;
  } catch {
    return null;
  }
}
