export * from './workflow';
export * from './events';
export * from './policy-api';
export * from './requests-api';
export * from './openapi-schemas';
