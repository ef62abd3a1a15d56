export * from './stack';
export * from './service-process';
