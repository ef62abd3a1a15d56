import type { LockCheck, LockCheckResult } from '../grants/grant-projection';

/**
 * Rule 1 (docs/domain.md) as the grant workflow applies it at its auto-lock deadline, on the
 * same data (the latest recorded use): the grant locks when its deadline — last access (or
 * creation, or unlock) + the auto-lock duration, as the workflow published it — and the latest
 * recorded use + the duration have both passed. Otherwise the deadline moves to the later of
 * the two. `recordedUse`: epoch ms, null when none is recorded.
 *
 * The re-check of a grant already marked (`check.markedAt`) counts only a use from before the
 * mark — one that happened while decisions still allowed it but was ingested after the first
 * check; the workflow counts it too. A use dated after the mark does not lift it (rule 2: usage
 * of a locked grant does not unlock it; decisions refused it, so proxies record no such use).
 */
export function checkLockDue(
  check: Pick<LockCheck, 'autoLockAt' | 'durationSeconds' | 'markedAt'>,
  recordedUse: number | null,
  now: number,
): LockCheckResult {
  const counted =
    recordedUse !== null && (check.markedAt === null || recordedUse < check.markedAt)
      ? recordedUse
      : null;
  const at =
    counted === null
      ? check.autoLockAt
      : Math.max(check.autoLockAt, counted + check.durationSeconds * 1000);
  return at > now ? { due: false, autoLockAt: at } : { due: true, lockDueAt: at };
}
