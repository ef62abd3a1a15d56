// What runs the grant workflow: the worker factory, the bundler settings, and the
// grant-state activities. Used by the grant-worker app and by tests that need real grants.
export * from './create-grant-worker';
export * from './workflow-bundle';
export * from './grant-state.activities';
