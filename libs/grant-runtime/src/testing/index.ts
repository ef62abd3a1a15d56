export * from './start-grant-worker';
export * from './lapse-stack';
