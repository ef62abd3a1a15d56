/**
 * The delivery workflow's contract: its input, its activities (implemented by the
 * notifications service), its name. Plain types and constants: safe in the workflow bundle.
 */
export const DELIVERY_WORKFLOW_TYPE = 'deliverNotification';
/** Task queue name (under LAPSE_TASK_QUEUE_PREFIX) of the notifications worker. */
export const NOTIFICATIONS_TASK_QUEUE = 'notifications';
/** ApplicationFailure type of an attempt the receiver refused for good (4xx other than 408/429, SMTP 5xx). */
export const DELIVERY_REJECTED = 'DeliveryRejected';

export interface DeliveryRetryPolicy {
  /** First retry after this; each next one waits twice as long. */
  initialIntervalMs: number;
  /** Longest wait between two attempts. */
  maxIntervalMs: number;
  /** Give up when the delivery is not done this long after it started. */
  deadlineMs: number;
  /** How long one attempt may take. */
  attemptTimeoutMs: number;
}

export interface DeliveryWorkflowInput {
  /** The delivery row in the notifications schema; also the workflow id and the Idempotency-Key. */
  deliveryId: string;
  retry: DeliveryRetryPolicy;
}

export type DeliveryOutcome = 'DELIVERED' | 'FAILED';

export interface DeliveryActivities {
  /**
   * One attempt: sends the stored message (email or webhook), records the attempt. Resolves
   * when delivered (or already delivered); throws to be retried, or a non-retryable
   * DELIVERY_REJECTED failure when the receiver refused it for good.
   */
  attemptDelivery(input: { deliveryId: string }): Promise<void>;
  /** Marks the delivery FAILED for good with the last error. */
  markDeliveryFailed(input: { deliveryId: string; reason: string }): Promise<void>;
}
