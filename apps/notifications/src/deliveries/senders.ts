import { createTransport, type Transporter } from 'nodemailer';
import { OutboundRefused, postPinned, resolveOutbound, type ResolvedTarget } from '@lapse/platform';
import type { EmailPayload, WebhookPayload } from './delivery.entity';
import {
  IDEMPOTENCY_HEADER,
  signedHeaders,
  verdictForStatus,
  type AttemptVerdict,
} from '../webhook/webhook';

export interface SendResult {
  verdict: AttemptVerdict;
  statusCode: number | null;
  error: string | null;
}

export interface Sender<P> {
  send(payload: P, deliveryId: string): Promise<SendResult>;
}

/**
 * POSTs the stored body bytes, signed for this attempt (Standard Webhooks), with the delivery id
 * as `webhook-id` and `Idempotency-Key`. The target is resolved and checked on every attempt
 * (no loopback, private or link-local address unless in LAPSE_WEBHOOK_ALLOW_HOSTS) and the
 * connection goes to the address checked; redirects are not followed (a 3xx is a failure).
 */
export class WebhookSender implements Sender<WebhookPayload> {
  constructor(
    private readonly timeoutMs: number,
    private readonly allowHosts: readonly string[] = [],
  ) {}

  async send(p: WebhookPayload, deliveryId: string): Promise<SendResult> {
    let target: ResolvedTarget;
    try {
      target = await resolveOutbound(p.url, this.allowHosts);
    } catch (e) {
      // An internal address is refused for good; a name that does not resolve may yet.
      const internal = e instanceof OutboundRefused && !/does not resolve/.test(e.message);
      return { verdict: internal ? 'FAILED' : 'RETRY', statusCode: null, error: describe(e) };
    }
    try {
      const { status } = await postPinned(new URL(p.url), target, this.timeoutMs, p.body, {
        'content-type': 'application/json',
        'user-agent': 'Lapse-Webhook/1',
        ...signedHeaders(p.secret, deliveryId, p.body, new Date()),
      });
      const verdict = verdictForStatus(status);
      return {
        verdict,
        statusCode: status,
        error: verdict === 'DELIVERED' ? null : `receiver answered ${status}`,
      };
    } catch (e) {
      return { verdict: 'RETRY', statusCode: null, error: describe(e) };
    }
  }
}

/** Sends over SMTP (SMTP_URL); SMTP 5xx refusals are final, everything else is retried. */
export class EmailSender implements Sender<EmailPayload> {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs: number,
  ) {
    const url = new URL(smtpUrl);
    this.transport = createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(p: EmailPayload, deliveryId: string): Promise<SendResult> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: p.to,
        subject: p.subject,
        html: p.html,
        text: p.text,
        messageId: `<${deliveryId}@lapse>`,
        headers: { [IDEMPOTENCY_HEADER]: deliveryId },
      });
      return { verdict: 'DELIVERED', statusCode: null, error: null };
    } catch (e) {
      const code = (e as { responseCode?: number }).responseCode ?? null;
      return {
        verdict: code !== null && code >= 500 ? 'FAILED' : 'RETRY',
        statusCode: code,
        error: describe(e),
      };
    }
  }

  close(): void {
    this.transport.close();
  }
}

function describe(e: unknown): string {
  const err = e as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const msg = err.cause?.message ?? err.message ?? String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
