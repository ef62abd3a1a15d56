/** Temporal test helpers (imports @temporalio/testing: keep out of suites that do not need it). */
export * from './temporal-test-env';
