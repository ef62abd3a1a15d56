export * from './types';
export type { deliverNotification } from './workflows';

/** Entry of the workflow bundle (`Worker.create({ workflowsPath })` / `bundleWorkflowCode`). */
export const DELIVERY_WORKFLOWS_PATH = require.resolve('./workflows');
