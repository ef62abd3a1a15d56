import { createTransport, type Transporter } from 'nodemailer';
import type { EmailPayload, WebhookPayload } from '../deliveries/delivery.entity';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
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

/** POSTs the stored body bytes with their signature and the delivery id as Idempotency-Key. */
export class WebhookSender implements Sender<WebhookPayload> {
  constructor(private readonly timeoutMs: number) {}

  async send(p: WebhookPayload, deliveryId: string): Promise<SendResult> {
    try {
      const res = await fetch(p.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Lapse-Webhook/1',
          [SIGNATURE_HEADER]: p.signature,
          [IDEMPOTENCY_HEADER]: deliveryId,
        },
        body: p.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      const verdict = verdictForStatus(res.status);
      return {
        verdict,
        statusCode: res.status,
        error: verdict === 'DELIVERED' ? null : `receiver answered ${res.status}`,
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
