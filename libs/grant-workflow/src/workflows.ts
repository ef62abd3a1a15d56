/**
 * Workflow code (bundled by the grant-worker; deterministic). One `accessGrant` per grant, id
 * `grant:<resourceId>:<userId>`, task queue `grants`. The rules live in ./grant-machine (pure);
 * this file orchestrates: messages in, deadline timers, activities out, continue-as-new.
 * Behaviour and decisions: docs/grant-workflow.md.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  ACTIVITY_TASK_QUEUES,
  SEARCH_ATTRIBUTES,
  accessedSignal,
  adminUnlockUpdate,
  cancelRequestUpdate,
  endAccessUpdate,
  grantSearchAttributes,
  policyChangedSignal,
  republishStateSignal,
  revokeSignal,
  reviewUpdate,
  stateQuery,
  submitRequestUpdate,
  taskQueue,
} from '@lapse/contracts/workflow';
import type {
  AccessGrantInput,
  AccessTrackingActivities,
  AdminUnlockRecord,
  EffectivePolicy,
  GrantStateActivities,
  GrantView,
  PolicyActivities,
  RequestActivities,
} from '@lapse/contracts/workflow';
import {
  CONTINUE_AS_NEW_AT_EVENTS,
  adminUnlock,
  adminUnlockRecord,
  applyAccess,
  applyPolicy,
  applyRevoke,
  cancelRequest,
  endAccess,
  freshVersion,
  initialModel,
  isTerminal,
  nextWake,
  review,
  submitRequest,
  tick,
  toCarried,
  toView,
  validateAdminUnlock,
  validateCancelRequest,
  validateEndAccess,
  validateReview,
  validateSubmitRequest,
  type GrantError,
  type GrantModel,
  type Outcome,
  type RequestRecord,
  type Transition,
} from './grant-machine';

const retryForever = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
} as const;

/** The activities, each on its owner's task queue (under the input's test prefix, if any). */
function activitiesFor(prefix: string | undefined) {
  const { publishGrantState } = proxyActivities<GrantStateActivities>({
    taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.grantState, prefix),
    startToCloseTimeout: '30s',
    retry: retryForever,
  });
  /**
   * The same activity run by the grant worker itself, inside the workflow task (no activity task
   * round trip through the server). Retries in the worker while the backoff stays under 10 s;
   * longer backoffs (a Kafka outage) wait on a durable timer, so the workflow task completes
   * instead of being kept open.
   */
  const { publishGrantState: publishGrantStateLocally } =
    proxyLocalActivities<GrantStateActivities>({
      startToCloseTimeout: '30s',
      localRetryThreshold: '10s',
      retry: retryForever,
    });
  const { recordRequest } = proxyActivities<RequestActivities>({
    taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.requests, prefix),
    startToCloseTimeout: '30s',
    retry: retryForever,
  });
  /** Bounded: after 5 minutes of failures the workflow decides on what it knows (docs). */
  const { latestAccess } = proxyActivities<AccessTrackingActivities>({
    taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.accessTracking, prefix),
    startToCloseTimeout: '10s',
    scheduleToCloseTimeout: '5m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const { recordAdminUnlock } = proxyActivities<PolicyActivities>({
    taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.policy, prefix),
    startToCloseTimeout: '30s',
    retry: retryForever,
  });
  return {
    publishGrantState,
    publishGrantStateLocally,
    recordRequest,
    latestAccess,
    recordAdminUnlock,
  };
}

/**
 * Admin unlocks are audited by policy through the `recordAdminUnlock` activity (delivered before
 * the update returns). Histories from before this marker audited in the caller instead: on
 * replay they skip the activity.
 */
const UNLOCK_AUDIT_PATCH = 'admin-unlock-recorded-by-activity';

/** Effects of each kind in their own lane (request records, unlock audits, state publishing). */
const EFFECT_LANES_PATCH = 'independent-effect-lanes';

/**
 * Rule 11. A fresh run's versions start at its creation time (µs), above any version an ended
 * run published; histories from before start at 1.
 */
const FRESH_VERSION_PATCH = 'fresh-grant-version-epoch';
/**
 * Rule 11. A `policyChanged` reaching a grant that has ended (REVOKED/EXPIRED, still delivering
 * its last effects) gives the grant again: once the ended run has delivered everything, it
 * continues as a fresh grant (the next run) instead of completing. Histories from before
 * complete as they did.
 */
const REGRANT_PATCH = 'regrant-after-end-starts-next-run';
/**
 * Less Temporal work per grant: the state is published by a local activity (in the workflow
 * task, not an activity task of its own), and the search attributes the starter already set
 * (user, resource, initial state) are not upserted again, only what differs. Histories from
 * before schedule `publishGrantState` on the `grants` queue and upsert all three at the start.
 *
 * A run that takes this patch has taken every earlier one: it records only this marker (each
 * costs two history events, the marker and the SDK's upsert of the TemporalChangeVersion search
 * attribute, a visibility write), and the earlier ones are asked only of runs without it.
 */
const LOCAL_PUBLISH_PATCH = 'state-published-by-local-activity';

function refuse(error: GrantError): never {
  throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true });
}

export async function accessGrant(input: AccessGrantInput): Promise<GrantView> {
  const {
    publishGrantState,
    publishGrantStateLocally,
    recordRequest,
    latestAccess,
    recordAdminUnlock,
  } = activitiesFor(input.taskQueuePrefix);
  const local = patched(LOCAL_PUBLISH_PATCH);
  /** Whether this run has `patch`: implied by LOCAL_PUBLISH_PATCH (no marker of its own). */
  const took = (patch: string): boolean => local || patched(patch);
  let model: GrantModel = initialModel(
    input,
    !input.carried && took(FRESH_VERSION_PATCH) ? freshVersion(input.createdAt) : 1,
  );
  /** Rule 11: the policy a grant that has ended was given again with (latest wins). */
  let regrant: EffectivePolicy | null = null;
  const outbox: RequestRecord[] = [...(input.carried?.pendingRecords ?? [])];
  /** Admin unlocks policy has not recorded yet, oldest first. */
  const unlocks: AdminUnlockRecord[] = [...(input.carried?.pendingUnlocks ?? [])];
  let publishedVersion = -1;
  /** The deadline the main loop sleeps until (epoch ms), null for none. */
  let sleepingUntil: number | null = null;
  /** Set when the main loop must re-evaluate before its timer fires. */
  let wake = false;
  let upsertedState = model.state;

  const attributes = grantSearchAttributes(model);
  if (local) {
    // The starter set them (a continued run inherits its run's): upsert only what differs.
    const known = workflowInfo().typedSearchAttributes;
    const differing = attributes.filter(({ key, value }) => known.get(key) !== value);
    if (differing.length > 0) upsertSearchAttributes(differing);
  } else upsertSearchAttributes(attributes);

  const commit = (t: Transition): void => {
    model = t.model;
    outbox.push(...t.records);
    if (t.changed) {
      wake = true;
      if (model.state !== upsertedState) {
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.grantState, value: model.state }]);
        upsertedState = model.state;
      }
    }
    const next = nextWake(model);
    if (next !== null && (sleepingUntil === null || next.at < sleepingUntil)) wake = true;
  };
  const settle = <T>(outcome: Outcome<T>): T => {
    if (!outcome.ok) refuse(outcome.error);
    commit(outcome.transition);
    return outcome.value;
  };

  // Messages. Handlers change state synchronously; activities run in the effects loop below.
  setHandler(stateQuery, () => toView(model));
  setHandler(accessedSignal, ({ at }) => commit(applyAccess(model, at, Date.now())));
  setHandler(policyChangedSignal, ({ policy }) => {
    if (isTerminal(model.state)) regrant = policy;
    else commit(applyPolicy(model, policy, Date.now()));
  });
  // Publish the current state again (the effects loop sees an unpublished version).
  setHandler(republishStateSignal, () => {
    publishedVersion = Math.min(publishedVersion, model.version - 1);
  });
  setHandler(revokeSignal, ({ outcome }) => {
    if (isTerminal(model.state))
      regrant = null; // given again, then taken away again
    else commit(applyRevoke(model, outcome ?? 'REVOKED', Date.now()));
  });
  setHandler(submitRequestUpdate, async (u) => settle(submitRequest(model, u, Date.now())), {
    validator: (u) => {
      const error = validateSubmitRequest(model, u);
      if (error) refuse(error);
    },
  });
  setHandler(reviewUpdate, async (u) => settle(review(model, u, Date.now())), {
    validator: (u) => {
      const error = validateReview(model, u);
      if (error) refuse(error);
    },
  });
  setHandler(
    adminUnlockUpdate,
    async (u) => {
      const before = model;
      const view = settle(adminUnlock(model, u, Date.now()));
      if (took(UNLOCK_AUDIT_PATCH)) {
        // Answer once policy has the unlock in its audit log: the caller may die right after.
        const record = adminUnlockRecord(before, model);
        unlocks.push(record);
        await condition(() => !unlocks.includes(record));
      }
      return view;
    },
    {
      validator: (u) => {
        const error = validateAdminUnlock(model, u);
        if (error) refuse(error);
      },
    },
  );

  setHandler(cancelRequestUpdate, async (u) => settle(cancelRequest(model, u, Date.now())), {
    validator: (u) => {
      const error = validateCancelRequest(model, u);
      if (error) refuse(error);
    },
  });
  setHandler(endAccessUpdate, async (u) => settle(endAccess(model, u, Date.now())), {
    validator: (u) => {
      const error = validateEndAccess(model, u);
      if (error) refuse(error);
    },
  });

  // Effects: request records in order, admin unlocks to the audit log, and the latest state
  // (once per version; consumers are idempotent by version). Each kind runs in its own lane, one
  // activity at a time, so per-grant order holds within a kind and an outage of one owner (the
  // requests service down) never holds back the others (state keeps being published).
  // Histories from before EFFECT_LANES_PATCH ran one lane for all three: they replay as such.
  let pausing = false;
  let inFlight = 0;
  const hasWork = () => outbox.length > 0 || unlocks.length > 0 || publishedVersion < model.version;
  // Activities retry until they succeed; an error here is a non-retryable refusal, which no
  // retry would fix: log it and move on rather than block every later effect.
  const deliverRecord = async () => {
    const record = outbox[0];
    await recordRequest(record).catch((err: unknown) =>
      log.error('recordRequest refused; record dropped', {
        error: String(err),
        event: record.event,
        requestId: record.request.id,
      }),
    );
    outbox.shift();
  };
  const deliverUnlock = async () => {
    const record = unlocks[0];
    await recordAdminUnlock(record).catch((err: unknown) =>
      log.error('recordAdminUnlock refused; record dropped', {
        error: String(err),
        at: record.at,
      }),
    );
    unlocks.shift();
  };
  const publishState = async () => {
    const view = toView(model);
    await (local ? publishGrantStateLocally : publishGrantState)(view).catch((err: unknown) =>
      log.error('publishGrantState refused; version skipped', {
        error: String(err),
        version: view.version,
      }),
    );
    publishedVersion = Math.max(publishedVersion, view.version);
  };
  const lane = (has: () => boolean, step: () => Promise<void>) =>
    (async () => {
      for (;;) {
        await condition(() => pausing || has());
        if (pausing) return;
        inFlight++;
        await step();
        inFlight--;
      }
    })();
  const effects: Promise<unknown> = took(EFFECT_LANES_PATCH)
    ? Promise.all([
        lane(() => outbox.length > 0, deliverRecord),
        lane(() => unlocks.length > 0, deliverUnlock),
        lane(() => publishedVersion < model.version, publishState),
      ])
    : lane(hasWork, () =>
        outbox.length > 0 ? deliverRecord() : unlocks.length > 0 ? deliverUnlock() : publishState(),
      );

  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength >= CONTINUE_AS_NEW_AT_EVENTS;

  // Main loop: apply due deadlines, then sleep until the next one or until woken.
  for (;;) {
    const t = tick(model, Date.now(), false);
    commit(t);
    if (t.needsAccessCheck) await checkAccessThenTick();
    if (isTerminal(model.state)) break;
    if (historyTooLong()) {
      await condition(allHandlersFinished);
      pausing = true;
      await condition(() => inFlight === 0);
      await effects;
      return await continueAsNew<typeof accessGrant>({
        ...input,
        policy: model.policy,
        carried: toCarried(model, outbox, unlocks),
      });
    }
    const next = nextWake(model);
    sleepingUntil = next?.at ?? null;
    wake = false;
    if (next === null) await condition(() => wake || historyTooLong());
    else await condition(() => wake || historyTooLong(), Math.max(1, next.at - Date.now()));
  }

  // Terminal (REVOKED / EXPIRED): finish handlers and deliver everything, then end.
  await condition(allHandlersFinished);
  await condition(() => !hasWork() && inFlight === 0);
  pausing = true;
  await effects;
  if (regrant !== null && took(REGRANT_PATCH)) {
    // Given again while ending: the next run is a fresh grant (new clock, version above ours).
    return await continueAsNew<typeof accessGrant>({
      userId: input.userId,
      resourceId: input.resourceId,
      policy: regrant,
      createdAt: new Date(Date.now()).toISOString(),
      requestTtlSeconds: input.requestTtlSeconds,
      taskQueuePrefix: input.taskQueuePrefix,
    });
  }
  return toView(model);

  /** Rule 1 (docs/domain.md): before an auto-lock, fetch the latest recorded access. */
  async function checkAccessThenTick(): Promise<void> {
    try {
      const latest = await latestAccess({ userId: model.userId, resourceId: model.resourceId });
      if (latest !== null) commit(applyAccess(model, latest, Date.now()));
    } catch (err) {
      log.warn(
        'latestAccess failed for 5 minutes; deciding the auto-lock on what the workflow knows',
        {
          error: err instanceof Error ? err.message : String(err),
          lastAccessAt: model.lastAccessAt,
        },
      );
    }
    commit(tick(model, Date.now(), true));
  }
}
