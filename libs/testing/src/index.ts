export * from './stack';
export * from './service-process';
export * from './temporal';
