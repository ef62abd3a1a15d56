export * from './workflow';
export * from './events';
export * from './policy-api';
export * from './requests-api';
