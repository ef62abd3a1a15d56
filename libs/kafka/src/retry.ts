import { setTimeout as sleep } from 'node:timers/promises';

/** Kafka error codes that mean "not ready yet" right after a broker or coordinator starts. */
const TRANSIENT = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

export function isTransientKafkaError(e: unknown): boolean {
  const err = e as { retriable?: boolean; type?: string; name?: string };
  return (
    err?.retriable === true ||
    TRANSIENT.has(err?.type ?? '') ||
    err?.name === 'KafkaJSConnectionError'
  );
}

/**
 * Runs a Kafka call that may meet a broker still settling (a fresh cluster creates its
 * consumer-offsets topic on first use), retrying transient errors with backoff.
 */
export async function withKafkaRetry<T>(
  what: string,
  fn: () => Promise<T>,
  { attempts = 10, initialMs = 200, maxMs = 3000 } = {},
): Promise<T> {
  let delay = initialMs;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isTransientKafkaError(e)) {
        throw new Error(`${what} failed after ${i} attempt(s): ${(e as Error).message}`, {
          cause: e,
        });
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxMs);
    }
  }
}
