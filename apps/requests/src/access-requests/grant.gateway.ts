import { Injectable } from '@nestjs/common';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import {
  cancelRequestUpdate,
  endAccessUpdate,
  grantWorkflowId,
  reviewUpdate,
  stateQuery,
  submitRequestUpdate,
  type AccessRequest,
  type GrantView,
  type ReviewUpdate,
  type SubmitRequestUpdate,
} from '@lapse/contracts';
import { LapseError } from '@lapse/platform';
import { grantErrorToLapse, isGrantErrorType } from './grant-errors';

/** Field names of the HTTP inputs, for 400s that name the field. */
const FIELDS = { reason: 'reason', duration: 'durationSeconds', note: 'note' };

/**
 * The grant workflows as this service uses them: the submitRequest and review updates and the
 * state query. Refusals come back as LapseErrors (404 no grant, 409, 403, 400).
 */
@Injectable()
export class GrantGateway {
  constructor(private readonly client: Client) {}

  async submit(resourceId: string, u: SubmitRequestUpdate): Promise<AccessRequest> {
    const handle = this.client.workflow.getHandle(grantWorkflowId(resourceId, u.userId));
    // updateId = requestId: a retried call is deduplicated by the server as well as by the workflow.
    return this.refusals(resourceId, () =>
      handle.executeUpdate(submitRequestUpdate, { args: [u], updateId: `submit:${u.requestId}` }),
    );
  }

  async review(request: AccessRequest, u: ReviewUpdate): Promise<AccessRequest> {
    const handle = this.client.workflow.getHandle(
      grantWorkflowId(request.resourceId, request.userId),
    );
    return this.refusals(request.resourceId, () =>
      handle.executeUpdate(reviewUpdate, { args: [u] }),
    );
  }

  /** Rule 14: the requester withdraws their open request. */
  async cancel(request: AccessRequest, userId: string): Promise<AccessRequest> {
    const handle = this.client.workflow.getHandle(
      grantWorkflowId(request.resourceId, request.userId),
    );
    return this.refusals(request.resourceId, () =>
      handle.executeUpdate(cancelRequestUpdate, { args: [{ requestId: request.id, userId }] }),
    );
  }

  /** Rule 14: the grant's user ends their active JIT period early. */
  async end(resourceId: string, userId: string): Promise<GrantView> {
    const handle = this.client.workflow.getHandle(grantWorkflowId(resourceId, userId));
    return this.refusals(resourceId, () =>
      handle.executeUpdate(endAccessUpdate, { args: [{ userId }] }),
    );
  }

  /** The grant's state, or null when the user has no grant to the resource. */
  async state(resourceId: string, userId: string): Promise<GrantView | null> {
    const handle = this.client.workflow.getHandle(grantWorkflowId(resourceId, userId));
    try {
      return await handle.query(stateQuery);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return null;
      throw e;
    }
  }

  private async refusals<T>(resourceId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError)
        throw LapseError.notFound('grant to resource', resourceId);
      if (
        e instanceof WorkflowUpdateFailedError &&
        e.cause instanceof ApplicationFailure &&
        isGrantErrorType(e.cause.type)
      ) {
        throw grantErrorToLapse(e.cause.type, e.cause.message, FIELDS);
      }
      throw e;
    }
  }
}
