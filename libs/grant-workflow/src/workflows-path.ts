/**
 * Node-only: where the workflow code is, for `Worker.create({ workflowsPath })` and
 * `bundleWorkflowCode`. Resolves to workflows.ts when running from TS source (swc-node, Jest)
 * and to workflows.js from compiled output.
 */
export const grantWorkflowsPath: string = require.resolve('./workflows');
