export * from './errors';
export * from './exception.filter';
export * from './validation';
export * from './health';
export * from './metrics';
export * from './platform.module';
export * from './bootstrap';
export * from './public';
