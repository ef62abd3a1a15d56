export * from './create-grant-worker';
export * from './workflow-bundle';
