export * from './workflow';
export * from './events';
