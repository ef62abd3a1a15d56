export * from './connection';
export * from './temporal.module';
export * from './runtime-logging';
export * from './activity-host';
export * from './sdk-metrics';
