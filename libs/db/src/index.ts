export * from './data-source';
export * from './outbox';
export * from './db.module';
export * from './errors';
export * from './service-role';
