export * from './client';
export * from './outbox-relay';
export * from './kafka.module';
export * from './retry';
