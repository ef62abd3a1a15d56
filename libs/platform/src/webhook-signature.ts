import { Webhook } from 'standardwebhooks';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * The Standard Webhooks headers of one attempt (standardwebhooks.com, signed with the maintained
 * `standardwebhooks` library): `webhook-id` (the delivery id: stable across retries, also sent
 * as `Idempotency-Key`), `webhook-timestamp` (this attempt, seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` under the `whsec_` secret).
 */
export function signedHeaders(
  secret: string,
  deliveryId: string,
  body: string,
  at: Date,
): Record<string, string> {
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(deliveryId, at, body),
    [IDEMPOTENCY_HEADER]: deliveryId,
  };
}
