import { Logger } from '@nestjs/common';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { DELIVERY_REJECTED, type DeliveryActivities } from '@lapse/delivery-workflow';
import { counter } from '@lapse/platform';
import type { EmailPayload, WebhookPayload } from './delivery.entity';
import type { DeliveryStore } from './delivery.store';
import type { Sender } from './senders';

const attempts = counter(
  'lapse_notification_attempts_total',
  'Delivery attempts by channel and outcome',
  ['channel', 'outcome'],
);

export interface DeliveryDeps {
  store: DeliveryStore;
  email: Sender<EmailPayload>;
  webhook: Sender<WebhookPayload>;
}

/** The activities of the delivery workflow, over injected dependencies. */
export function createDeliveryActivities(deps: DeliveryDeps): DeliveryActivities {
  const log = new Logger('delivery');
  return {
    async attemptDelivery({ deliveryId }) {
      const d = await deps.store.get(deliveryId);
      if (!d)
        throw ApplicationFailure.nonRetryable(
          `delivery ${deliveryId} not found`,
          DELIVERY_REJECTED,
        );
      // A retry after a crash between "sent" and "completed" must not send again.
      if (d.status !== 'PENDING') return;
      const attempt = Context.current().info.attempt;
      const started = Date.now();
      // Logged before the send: an attempt cut off after its send still shows (as STARTED).
      const attemptId = await deps.store.startAttempt({
        deliveryId: d.id,
        attempt,
        at: new Date(started),
      });
      const result =
        d.payload.kind === 'EMAIL'
          ? await deps.email.send(d.payload, d.id)
          : await deps.webhook.send(d.payload, d.id);
      const durationMs = Date.now() - started;
      await deps.store.completeAttempt(attemptId, d.id, {
        outcome: result.verdict,
        statusCode: result.statusCode,
        error: result.error,
        durationMs,
      });
      attempts.inc({ channel: d.channel, outcome: result.verdict });
      const entry = {
        deliveryId: d.id,
        channel: d.channel,
        requestId: d.requestId,
        event: d.event,
        recipient: d.recipient,
        attempt,
        outcome: result.verdict,
        statusCode: result.statusCode,
        error: result.error,
        durationMs,
      };
      if (result.verdict === 'DELIVERED') {
        log.log({ ...entry, msg: 'delivery attempt succeeded' });
        return;
      }
      log.warn({ ...entry, msg: 'delivery attempt failed' });
      const message = result.error ?? 'delivery failed';
      throw result.verdict === 'FAILED'
        ? ApplicationFailure.nonRetryable(message, DELIVERY_REJECTED)
        : ApplicationFailure.retryable(message, 'DeliveryNotYetDelivered');
    },

    async markDeliveryFailed({ deliveryId, reason }) {
      await deps.store.markFailed(deliveryId, reason);
      log.error({ deliveryId, reason, msg: 'delivery failed for good' });
    },
  };
}
