// What benchmarks and scripts (bench/, tools/) may use of access-tracking besides running it as a
// process: the app module and its config, its schema, the ingestion and decision pieces the
// ingestion and decisions benchmarks drive in-process, and the lock-due reason lockstorm tells
// apart. ESLint holds bench/ and tools/ to this file and to `db/data-source.ts` (every app's
// schema, for the migration script).
export { createAppModule } from './app.module';
export { loadServiceConfig, type AccessTrackingConfig } from './config';
export { dataSourceOptions } from './db/data-source';
export { DecisionsFastPath } from './decisions/decisions-fast-path';
export { LOCK_DUE_REASON } from './decisions/decision';
export { GrantProjection, toProjectedGrant } from './grants/grant-projection';
export { GrantStateConsumer } from './grants/grant-state.consumer';
export { UsageIngestor } from './usage/usage.ingestor';
