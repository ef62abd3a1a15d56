export * from './temporal.module';
export * from './runtime-logging';
