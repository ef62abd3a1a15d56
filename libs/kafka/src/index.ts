export * from './client';
export * from './outbox-relay';
export * from './kafka.module';
export * from './retry';
export * from './dead-letter';
export * from './supervised-consumer';
export * from './record-pipeline';
export * from './lag-monitor';
