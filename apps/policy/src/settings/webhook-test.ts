import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  LapseError,
  OutboundRefused,
  parseAllowHosts,
  postPinned,
  resolveOutbound,
  signedHeaders,
} from '@lapse/platform';
import type { PolicyConfig } from '../config';
import { POLICY_CONFIG } from '../config.token';
import { SettingsService } from './settings.service';

/** What `POST /v1/settings/notifications/webhook-test` answers: what the receiver said. */
export interface WebhookTestResult {
  url: string;
  /** The receiver answered 2xx. */
  delivered: boolean;
  statusCode: number | null;
  /** The start of the receiver's answer (at most 2000 bytes), or null when it sent none. */
  responseBody: string | null;
  /** Why nothing was delivered, when nothing was. */
  error: string | null;
  durationMs: number;
}

const TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 2000;

/** The body of a test event: the webhook's envelope (timestamp, tenant, version) with type TEST. */
export function testEventBody(tenant: string, now: Date): Record<string, string> {
  return {
    timestamp: now.toISOString().replace(/Z$/, '+00:00'),
    tenant,
    version: '1',
    type: 'TEST',
    message: 'A test event from Lapse: this receiver gets its access request webhooks.',
  };
}

/**
 * Sends one signed test event to the configured webhook, at once and once (no retries, no
 * delivery log): the same Standard Webhooks signature and the same target rules as real
 * deliveries (no internal address unless LAPSE_WEBHOOK_ALLOW_HOSTS lists it; no redirects).
 */
@Injectable()
export class WebhookTester {
  private readonly log = new Logger('webhook-test');
  private readonly allowHosts: string[];
  private readonly tenant: string;

  constructor(
    private readonly settings: SettingsService,
    @Inject(POLICY_CONFIG) config: PolicyConfig,
  ) {
    this.allowHosts = parseAllowHosts(config.LAPSE_WEBHOOK_ALLOW_HOSTS);
    this.tenant = new URL(config.LAPSE_PUBLIC_URL).hostname;
  }

  async send(actorId: string | null): Promise<WebhookTestResult> {
    const { webhook } = await this.settings.get();
    if (!webhook) throw LapseError.conflict('no webhook is set: save a webhook URL first');
    let target;
    try {
      target = await resolveOutbound(webhook.url, this.allowHosts);
    } catch (e) {
      if (e instanceof OutboundRefused) throw LapseError.validation('webhook.url', e.message);
      throw e;
    }
    const now = new Date();
    const id = `test_${randomUUID()}`;
    const body = JSON.stringify(testEventBody(this.tenant, now));
    const started = performance.now();
    const result = await postPinned(
      new URL(webhook.url),
      target,
      TIMEOUT_MS,
      body,
      {
        'content-type': 'application/json',
        'user-agent': 'Lapse-Webhook/1',
        ...signedHeaders(webhook.secret, id, body, now),
      },
      MAX_ANSWER_BYTES,
    ).then(
      (answer) => ({
        delivered: answer.status >= 200 && answer.status < 300,
        statusCode: answer.status,
        responseBody: answer.body || null,
        error:
          answer.status >= 200 && answer.status < 300
            ? null
            : `the receiver answered ${answer.status}`,
      }),
      (e: unknown) => ({
        delivered: false,
        statusCode: null,
        responseBody: null,
        error: describe(e),
      }),
    );
    const durationMs = Math.round(performance.now() - started);
    this.log.log(
      { actorId, webhookId: id, statusCode: result.statusCode, durationMs },
      'webhook test sent',
    );
    return { url: webhook.url, ...result, durationMs };
  }
}

function describe(e: unknown): string {
  const err = e as { message?: string; code?: string; name?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${TIMEOUT_MS / 1000} seconds`;
  const msg = err.message ?? String(e);
  return err.code && !msg.includes(err.code) ? `${err.code}: ${msg}` : msg;
}
