/**
 * Bytes per grant of access-tracking's grant projection: the V8 heap in use plus ArrayBuffer
 * backing stores (typed arrays live outside the heap) after a full GC, before and after `grants`
 * records are applied to a fresh projection (records as the consumer
 * builds them from grants.state.v1 JSON, so every id string is its own copy, as in the service).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomUUID } from 'node:crypto';
import type { GrantStateEvent } from '@lapse/contracts';
import { GrantProjection, toProjectedGrant } from '../../apps/access-tracking/src';

/** `global.gc`, made available at run time (the bench runs without --expose-gc). */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

export interface ProjectionMemory {
  grants: number;
  /** V8 heap in use + ArrayBuffer backing stores, after a full GC. */
  bytesBefore: number;
  bytesAfter: number;
  bytesPerGrant: number;
  /**
   * One lock-due sweep's scan of the whole projection with no deadline passed (the steady
   * state: every row read, none returned), median of 9, ms.
   */
  lockDueScanMs: number;
}

export function measureProjectionMemory(grants: number, resources = 100): ProjectionMemory {
  const gc = fullGc();
  const resourceIds = Array.from({ length: resources }, () => randomUUID());
  const now = Date.now();
  gc();
  const before = used();
  const projection = new GrantProjection();
  for (let i = 0; i < grants; i++) {
    // Half the grants locked, the others with an auto-lock deadline, some JIT (activeUntil)
    // and expiring: every field in use.
    const event: GrantStateEvent = JSON.parse(
      JSON.stringify({
        userId: randomUUID(),
        resourceId: resourceIds[i % resources],
        state: i % 2 ? 'LOCKED' : 'ACTIVE',
        lastAccessAt: new Date(now - i).toISOString(),
        lockedAt: i % 2 ? new Date(now - i).toISOString() : null,
        activeUntil: i % 5 === 0 ? new Date(now + 3_600_000).toISOString() : null,
        expiresAt: i % 7 === 0 ? new Date(now + 86_400_000).toISOString() : null,
        autoLockAt: i % 2 ? null : new Date(now + 3_600_000 - i).toISOString(),
        autoLockDurationSeconds: 3600,
        version: now * 1000 + i,
      }),
    ) as GrantStateEvent;
    projection.apply(toProjectedGrant(event));
  }
  gc();
  const after = used();
  if (projection.size !== grants) throw new Error(`projection holds ${projection.size}`);
  const scans = Array.from({ length: 9 }, () => {
    const t = performance.now();
    const due = projection.lockChecksDue(now, 15_000, 20_000).length;
    if (due !== 0) throw new Error(`${due} deadlines passed in the memory projection`);
    return performance.now() - t;
  }).sort((a, b) => a - b);
  return {
    grants,
    bytesBefore: before,
    bytesAfter: after,
    bytesPerGrant: Math.round((after - before) / grants),
    lockDueScanMs: Math.round(scans[4] * 100) / 100,
  };
}
