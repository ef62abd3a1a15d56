/** Realistic proxy traffic: usage events for (user, resource) grants, some users idle. */
import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { TOPICS, grantKey, type GrantStateEvent } from '@lapse/contracts';

export interface Grant {
  userId: string;
  resourceId: string;
}

/** A UUID named by `name` (SHA-256, v5 layout): event ids are UUIDs, the same name the same id. */
export function uuidNamed(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Every pair of `users` × `resources`, ids named under `prefix`. */
export function grantsFor(prefix: string, users: number, resources: number): Grant[] {
  const resourceIds = Array.from({ length: resources }, (_, r) => uuidNamed(`${prefix}-r${r}`));
  const out: Grant[] = [];
  for (let u = 0; u < users; u++) {
    const userId = uuidNamed(`${prefix}-u${u}`);
    for (const resourceId of resourceIds) out.push({ userId, resourceId });
  }
  return out;
}

/**
 * Publishes an ACTIVE `grants.state.v1` record for each grant (as the grant workflows would), in
 * batches, acknowledged by every replica: access-tracking then knows them.
 */
export async function publishActiveGrants(
  producer: Producer,
  grants: Grant[],
  record: Pick<GrantStateEvent, 'lastAccessAt' | 'version'>,
  batch = 10_000,
): Promise<void> {
  for (let i = 0; i < grants.length; i += batch) {
    await producer.send({
      topic: TOPICS.grantState,
      acks: -1,
      messages: grants.slice(i, i + batch).map((g) => {
        const r: GrantStateEvent = {
          userId: g.userId,
          resourceId: g.resourceId,
          state: 'ACTIVE',
          lockedAt: null,
          activeUntil: null,
          ...record,
        };
        return { key: grantKey(g), value: JSON.stringify(r) };
      }),
    });
  }
}

export function usageMessage(
  g: Grant,
  at: number,
  proxyId = 'sim-proxy',
): { key: string; value: string } {
  return {
    key: grantKey(g),
    value: JSON.stringify({
      userId: g.userId,
      resourceId: g.resourceId,
      occurredAt: new Date(at).toISOString(),
      proxyId,
    }),
  };
}

/**
 * Publishes at `rate` events/s for `seconds`, picking a random active grant for each event
 * (skewed: a few grants are hot, like real users). Calls `progress` about once a second.
 */
export async function publishAtRate(
  producer: Producer,
  active: Grant[],
  rate: number,
  seconds: number,
  progress: (sent: number, elapsedMs: number) => void = () => undefined,
): Promise<number> {
  const started = Date.now();
  const tickMs = 50;
  let sent = 0;
  let lastProgress = started;
  const inFlight = new Set<Promise<unknown>>();
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate) - sent;
    if (due > 0) {
      const now = Date.now();
      const messages = Array.from({ length: due }, () =>
        usageMessage(active[skewedIndex(active.length)], now),
      );
      const p = producer
        .send({ topic: TOPICS.usage, acks: 1, messages })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      sent += due;
      if (inFlight.size > 20) await Promise.race(inFlight);
    }
    if (Date.now() - lastProgress >= 1000) {
      progress(sent, Date.now() - started);
      lastProgress = Date.now();
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(inFlight);
  return sent;
}

/** Half the traffic goes to the first 10% of grants. */
function skewedIndex(n: number): number {
  return Math.random() < 0.5
    ? Math.floor(Math.random() * Math.max(1, Math.ceil(n / 10)))
    : Math.floor(Math.random() * n);
}
