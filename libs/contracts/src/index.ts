export * from './workflow';
export * from './events';
export * from './policy-api';
