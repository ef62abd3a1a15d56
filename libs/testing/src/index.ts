export * from './stack';
export * from './service-process';
export * from './temporal';
export * from './migrate-all';
export * from './test-output';
export * from './proxies';
export * from './kafka';
export * from './temporal-mtls';
