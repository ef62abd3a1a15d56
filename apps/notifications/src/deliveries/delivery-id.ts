import { createHash } from 'node:crypto';
import type { DeliveryChannel } from './delivery.entity';

/**
 * The deterministic id of one delivery: the same request event to the same recipient (or the
 * webhook) always gets the same id. It is the Idempotency-Key receivers see and the Temporal
 * workflow id, so a redelivered Kafka record never sends twice.
 */
export function deliveryId(p: {
  channel: DeliveryChannel;
  requestId: string;
  event: string;
  recipient: string;
}): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([p.channel, p.requestId, p.event, p.recipient]))
    .digest('hex');
  return `dlv_${digest.slice(0, 40)}`;
}
