export * from './start-grant-worker';
