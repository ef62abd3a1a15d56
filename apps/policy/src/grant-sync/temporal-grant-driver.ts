import { Client, WorkflowNotFoundError } from '@temporalio/client';
import {
  GRANT_TASK_QUEUE,
  GRANT_WORKFLOW_TYPE,
  SEARCH_ATTRIBUTES,
  grantWorkflowId,
  policyChangedSignal,
  revokeSignal,
  taskQueue,
  type AccessGrantInput,
  type EffectivePolicy,
  type PolicyChangedSignal,
} from '@lapse/contracts';
// Type-only (erased at compile time): the workflow's signature for a type-safe start.
import type { AccessGrantWorkflow } from '@lapse/grant-workflow';

/** How the sync worker drives grant workflows (an interface so the worker's tests can inject faults). */
export interface GrantDriver {
  /** Starts the grant if absent (signalWithStart) and sends it `policyChanged`. Idempotent. */
  apply(resourceId: string, userId: string, policy: EffectivePolicy): Promise<void>;
  /** Sends `revoke`; a grant that does not exist (or has ended) is fine. */
  revoke(resourceId: string, userId: string, outcome: 'REVOKED' | 'EXPIRED'): Promise<void>;
}

export interface GrantDriverSettings {
  taskQueuePrefix: string;
  requestTtlSeconds: number;
}

export class TemporalGrantDriver implements GrantDriver {
  constructor(
    private readonly client: Client,
    private readonly s: GrantDriverSettings,
  ) {}

  async apply(resourceId: string, userId: string, policy: EffectivePolicy): Promise<void> {
    const input: AccessGrantInput = {
      userId,
      resourceId,
      policy,
      createdAt: new Date().toISOString(),
      requestTtlSeconds: this.s.requestTtlSeconds,
      taskQueuePrefix: this.s.taskQueuePrefix,
    };
    await this.client.workflow.signalWithStart<typeof AccessGrantWorkflow, [PolicyChangedSignal]>(
      GRANT_WORKFLOW_TYPE,
      {
        workflowId: grantWorkflowId(resourceId, userId),
        taskQueue: taskQueue(GRANT_TASK_QUEUE, this.s.taskQueuePrefix),
        args: [input],
        signal: policyChangedSignal,
        signalArgs: [{ policy }],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.userId, value: userId },
          { key: SEARCH_ATTRIBUTES.resourceId, value: resourceId },
        ],
      },
    );
  }

  async revoke(resourceId: string, userId: string, outcome: 'REVOKED' | 'EXPIRED'): Promise<void> {
    try {
      await this.client.workflow
        .getHandle(grantWorkflowId(resourceId, userId))
        .signal(revokeSignal, { outcome });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return;
      throw e;
    }
  }
}
