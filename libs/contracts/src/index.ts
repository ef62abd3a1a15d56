export * from './domain';
export * from './grant';
export * from './workflow-messages';
export * from './activities';
export * from './topics';
export * from './events';
export * from './search-attributes';
