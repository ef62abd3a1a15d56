/**
 * Public surface for non-workflow code: the workflows path (for workers and bundlers), the
 * workflow's type (for type-safe starts), and the pure grant rules. Nothing here imports the
 * workflow runtime; the workflow itself is loaded only through `grantWorkflowsPath`.
 */
import type { accessGrant } from './workflows';

export { grantWorkflowsPath } from './workflows-path';
export * from './grant-machine';

/**
 * The workflow function, type-only (erased at compile time), for type-safe starts. Both forms
 * work: `client.workflow.start<AccessGrantWorkflow>(GRANT_WORKFLOW_TYPE, …)` and
 * `start<typeof AccessGrantWorkflow>(…)`.
 */
export type { accessGrant as AccessGrantWorkflow } from './workflows';
export type AccessGrantWorkflow = typeof accessGrant;
