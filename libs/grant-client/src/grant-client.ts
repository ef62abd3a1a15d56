import type { FactoryProvider } from '@nestjs/common';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  GRANT_TASK_QUEUE,
  GRANT_WORKFLOW_TYPE,
  LIMITS,
  accessedSignal,
  adminUnlockUpdate,
  cancelRequestUpdate,
  endAccessUpdate,
  grantSearchAttributes,
  grantWorkflowId,
  policyChangedSignal,
  reviewUpdate,
  republishStateSignal,
  revokeSignal,
  stateQuery,
  submitRequestUpdate,
  taskQueue,
  type AccessGrantInput,
  type AccessRequest,
  type AdminUnlockUpdate,
  type CancelRequestUpdate,
  type EndAccessUpdate,
  type EffectivePolicy,
  type GrantRef,
  type GrantState,
  type GrantView,
  type PolicyChangedSignal,
  type ReviewUpdate,
  type SubmitRequestUpdate,
} from '@lapse/contracts';
import { initialGrantState } from '@lapse/domain';
import { LapseError } from '@lapse/platform';
// Type-only (erased at compile time): the workflow's signature for type-safe starts.
import type { AccessGrantWorkflow } from '@lapse/grant-workflow';
import { grantErrorToLapse, isGrantErrorType } from './grant-errors';

/**
 * How long a caller waits on a grant workflow. A query is answered from the workflow's memory,
 * so a slow one means a busy or stuck worker: give up soon. An update may wait for an activity
 * (an admin unlock answers once policy has audited it): give it longer. Past the deadline the
 * caller gets a 503 (`LapseError` UNAVAILABLE), never a hang.
 */
export const GRANT_DEADLINES = { queryMs: 3_000, updateMs: 30_000 } as const;

export interface GrantClientSettings {
  /** LAPSE_TASK_QUEUE_PREFIX: '' in production, one per suite in tests. */
  taskQueuePrefix?: string;
  /** LAPSE_REQUEST_TTL for grants this client starts (default: the contract's). */
  requestTtlSeconds?: number;
}

/** What a new grant starts with besides its ref. */
export interface GrantStart {
  policy: EffectivePolicy;
  /** When the grant was created (ISO); the auto-lock clock starts here. Default: now. */
  createdAt?: string;
  requestTtlSeconds?: number;
}

/** gRPC status codes the Temporal frontend answers with. */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;
/** A workflow task scheduled and not yet picked up by a worker. */
const TASK_SCHEDULED =
  temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED;

/**
 * The one way to drive grant workflows (`accessGrant`, one per grant). Every call takes a
 * `GrantRef`; refusals come back as `LapseError`s: 404 when there is no running grant, 409 /
 * 403 / 400 by `grantErrorToLapse`, 503 when the workflow does not answer in time.
 */
export class GrantClient {
  private readonly prefix: string;
  private readonly requestTtlSeconds: number;

  constructor(
    private readonly temporal: Client,
    settings: GrantClientSettings = {},
  ) {
    this.prefix = settings.taskQueuePrefix ?? '';
    this.requestTtlSeconds = settings.requestTtlSeconds ?? LIMITS.defaultRequestTtlSeconds;
  }

  /**
   * Starts the grant if absent and sends it `policyChanged` (one signalWithStart). Idempotent.
   * With `likelyNew` (the caller knows of no grant yet) it first tries a plain start, whose input
   * carries the policy: a new grant then has no `policyChanged` in its history (one event and
   * one signal less per grant); one that exists after all gets the signalWithStart.
   */
  async apply(ref: GrantRef, policy: EffectivePolicy, likelyNew = false): Promise<void> {
    if (likelyNew) {
      try {
        await this.start(ref, { policy });
        return;
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
    }
    await this.temporal.workflow.signalWithStart<AccessGrantWorkflow, [PolicyChangedSignal]>(
      GRANT_WORKFLOW_TYPE,
      {
        ...this.startOptions(ref, { policy }),
        signal: policyChangedSignal,
        signalArgs: [{ policy }],
      },
    );
  }

  /** Starts a grant that must not exist yet (fails with WorkflowExecutionAlreadyStartedError). */
  async start(ref: GrantRef, start: GrantStart): Promise<void> {
    await this.temporal.workflow.start<AccessGrantWorkflow>(
      GRANT_WORKFLOW_TYPE,
      this.startOptions(ref, start),
    );
  }

  /** Sends `accessed` (the proxy's event time, ISO). Throws WorkflowNotFoundError when none runs. */
  async accessed(ref: GrantRef, at: string): Promise<void> {
    await this.handle(ref).signal(accessedSignal, { at });
  }

  /** Sends `revoke`; a grant that does not exist (or has ended) is fine. */
  async revoke(ref: GrantRef, outcome: 'REVOKED' | 'EXPIRED' = 'REVOKED'): Promise<void> {
    try {
      await this.handle(ref).signal(revokeSignal, { outcome });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return;
      throw e;
    }
  }

  /**
   * Sends `republishState`: the workflow publishes its current state again (the reconciler's
   * repair of a stale projection). A grant that does not exist (or has ended) is fine.
   */
  async republish(ref: GrantRef): Promise<void> {
    try {
      await this.handle(ref).signal(republishStateSignal);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return;
      throw e;
    }
  }

  /**
   * `submitRequest`, deduplicated by request id (by the server through the update id, and by the
   * workflow): a retried call returns the same request.
   */
  submit(ref: GrantRef, u: SubmitRequestUpdate): Promise<AccessRequest> {
    return this.update(ref, () =>
      this.handle(ref).executeUpdate(submitRequestUpdate, {
        args: [u],
        updateId: `submit:${u.requestId}`,
      }),
    );
  }

  review(ref: GrantRef, u: ReviewUpdate): Promise<AccessRequest> {
    return this.update(ref, () => this.handle(ref).executeUpdate(reviewUpdate, { args: [u] }));
  }

  /** `adminUnlock`: answers once policy has recorded the unlock in its audit log. */
  unlock(ref: GrantRef, u: AdminUnlockUpdate): Promise<GrantView> {
    return this.update(ref, () => this.handle(ref).executeUpdate(adminUnlockUpdate, { args: [u] }));
  }

  /** `cancelRequest` (rule 14): the requester withdraws their open request. */
  cancel(ref: GrantRef, u: CancelRequestUpdate): Promise<AccessRequest> {
    return this.update(ref, () =>
      this.handle(ref).executeUpdate(cancelRequestUpdate, { args: [u] }),
    );
  }

  /** `endAccess` (rule 14): the grant's user ends their active JIT period early. */
  end(ref: GrantRef, u: EndAccessUpdate): Promise<GrantView> {
    return this.update(ref, () => this.handle(ref).executeUpdate(endAccessUpdate, { args: [u] }));
  }

  /**
   * Terminates the grant's workflow at once, whatever its state; one that has ended already is
   * fine. For cleaning up after tests: in production a grant ends by `revoke`.
   */
  async terminate(ref: GrantRef, why: string): Promise<void> {
    try {
      await this.handle(ref).terminate(why);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError || grpcCode(e) === GRPC_NOT_FOUND) return;
      throw e;
    }
  }

  /** Waits until the grant's workflow has ended (revoked or expired); its final view. */
  ended(ref: GrantRef): Promise<GrantView> {
    return this.handle(ref).result();
  }

  /**
   * What Temporal holds for the grant (the reconciler compares it with policy): running with its
   * state and policy, ended (completed, terminated, failed…), or never started.
   */
  async observe(
    ref: GrantRef,
  ): Promise<
    | { status: 'RUNNING'; state: GrantState; policy: EffectivePolicy; version: number }
    | { status: 'ENDED' }
    | { status: 'MISSING' }
  > {
    try {
      const d = await this.handle(ref).describe();
      if (d.status.name !== 'RUNNING') return { status: 'ENDED' };
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return { status: 'MISSING' };
      throw e;
    }
    const view = await this.state(ref);
    return view
      ? { status: 'RUNNING', state: view.state, policy: view.policy, version: view.version }
      : { status: 'ENDED' };
  }

  /**
   * Whether the grant's workflow has a workflow task waiting in Temporal's task queue for a
   * grant worker to pick it up (the grant sync's pacing). False when its task has been picked up,
   * when it has none, and when there is no such workflow.
   */
  async taskWaiting(ref: GrantRef): Promise<boolean> {
    try {
      const { raw } = await this.handle(ref).describe();
      return raw.pendingWorkflowTask?.state === TASK_SCHEDULED;
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return false;
      throw e;
    }
  }

  /** The grant's state, or null when the user has no running grant to the resource. */
  async state(ref: GrantRef): Promise<GrantView | null> {
    try {
      return await this.temporal.withDeadline(Date.now() + GRANT_DEADLINES.queryMs, () =>
        this.handle(ref).query(stateQuery),
      );
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return null;
      throw unanswered(e) ?? e;
    }
  }

  private handle(ref: GrantRef) {
    return this.temporal.workflow.getHandle<AccessGrantWorkflow>(grantWorkflowId(ref));
  }

  private startOptions(ref: GrantRef, s: GrantStart) {
    const input: AccessGrantInput = {
      userId: ref.userId,
      resourceId: ref.resourceId,
      policy: s.policy,
      createdAt: s.createdAt ?? new Date().toISOString(),
      requestTtlSeconds: s.requestTtlSeconds ?? this.requestTtlSeconds,
      taskQueuePrefix: this.prefix,
    };
    return {
      workflowId: grantWorkflowId(ref),
      taskQueue: taskQueue(GRANT_TASK_QUEUE, this.prefix),
      args: [input] as [AccessGrantInput],
      // With the initial state: the workflow's first task then upserts nothing.
      typedSearchAttributes: grantSearchAttributes({ ...ref, state: initialGrantState(s.policy) }),
    };
  }

  private async update<T>(ref: GrantRef, call: () => Promise<T>): Promise<T> {
    try {
      return await this.temporal.withDeadline(Date.now() + GRANT_DEADLINES.updateMs, call);
    } catch (e) {
      throw refusal(e, ref);
    }
  }
}

/** What an update's failure means to the caller (a LapseError), or the error itself. */
export function refusal(e: unknown, ref: GrantRef): unknown {
  // gRPC NOT_FOUND: the workflow has completed (revoked or expired) or never existed.
  if (e instanceof WorkflowNotFoundError || grpcCode(e) === GRPC_NOT_FOUND)
    return LapseError.notFound('grant', `of user ${ref.userId} to resource ${ref.resourceId}`);
  if (
    e instanceof WorkflowUpdateFailedError &&
    e.cause instanceof ApplicationFailure &&
    isGrantErrorType(e.cause.type)
  )
    return grantErrorToLapse(e.cause.type, e.cause.message);
  return unanswered(e) ?? e;
}

/** A 503 when the workflow did not answer before the deadline; undefined otherwise. */
function unanswered(e: unknown): LapseError | undefined {
  return grpcCode(e) === GRPC_DEADLINE_EXCEEDED
    ? LapseError.unavailable('the grant workflow', e)
    : undefined;
}

/** The gRPC status code of `e` or of an error it wraps (the client wraps them in ServiceError). */
function grpcCode(e: unknown): unknown {
  for (let c = e, depth = 0; c && typeof c === 'object' && depth < 4; depth++) {
    const { code, cause } = c as { code?: unknown; cause?: unknown };
    if (typeof code === 'number') return code;
    c = cause;
  }
  return undefined;
}

/**
 * The Nest provider of a service's `GrantClient`, on the service's Temporal `Client` and its
 * config (under `configToken`).
 */
export function grantClientProvider<C>(
  configToken: symbol | string,
  settings: (config: C) => GrantClientSettings = () => ({}),
): FactoryProvider<GrantClient> {
  return {
    provide: GrantClient,
    useFactory: (temporal: Client, config: C) => new GrantClient(temporal, settings(config)),
    inject: [Client, configToken],
  };
}
