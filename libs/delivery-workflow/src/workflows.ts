import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { DeliveryActivities, DeliveryOutcome, DeliveryWorkflowInput } from './types';
import { DELIVERY_REJECTED } from './types';

/**
 * One delivery (an email or a webhook POST): attempts with exponential backoff until delivered,
 * refused for good, or out of time (24 h by default). Survives restarts of the service: the
 * retry schedule lives in Temporal, not in the process.
 */
export async function deliverNotification(input: DeliveryWorkflowInput): Promise<DeliveryOutcome> {
  const { retry } = input;
  const { attemptDelivery } = proxyActivities<DeliveryActivities>({
    startToCloseTimeout: retry.attemptTimeoutMs + 5_000,
    scheduleToCloseTimeout: retry.deadlineMs,
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maxIntervalMs,
      nonRetryableErrorTypes: [DELIVERY_REJECTED],
    },
  });
  const { markDeliveryFailed } = proxyActivities<DeliveryActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '1m' },
  });
  try {
    await attemptDelivery({ deliveryId: input.deliveryId });
    return 'DELIVERED';
  } catch (err) {
    await markDeliveryFailed({ deliveryId: input.deliveryId, reason: reasonOf(err) });
    return 'FAILED';
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) {
    const cause = err.cause;
    const detail =
      cause instanceof ApplicationFailure ? cause.message : `${cause.name}: ${cause.message}`;
    return detail || 'delivery failed';
  }
  return err instanceof Error ? err.message : String(err);
}
