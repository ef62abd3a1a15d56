// Several Lapse services with the real grant workflow, for cross-service suites and benchmarks.
// Its own project beside libs/testing: it runs the grant worker (@lapse/grant-runtime), whose
// workflow's own tests use @lapse/testing, so @lapse/testing itself cannot depend on it.
export * from './start-grant-worker';
export * from './lapse-stack';
