import { createHash, randomUUID } from 'node:crypto';
import type { GrantRef } from '@lapse/contracts';

/**
 * The id of a new request, chosen before the workflow update so a retried call can reuse it.
 * With an `Idempotency-Key`, the id is a name-based UUID (v5 layout, SHA-256 of the requester,
 * resource and key): the same key from the same user for the same resource always names the
 * same request, and the workflow answers the retry with that request. Without one, a random v4.
 */
export function requestIdFor({ userId, resourceId }: GrantRef, idempotencyKey?: string): string {
  if (idempotencyKey === undefined || idempotencyKey.trim() === '') return randomUUID();
  const h = createHash('sha256')
    .update(`lapse-request\0${userId}\0${resourceId}\0${idempotencyKey.trim()}`)
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
