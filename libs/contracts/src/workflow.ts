/**
 * The contracts workflow code may use: everything but the zod event schemas (`./events`), which
 * only services need. The grant workflow and the domain rules import this entry point, so the
 * workflow bundle carries no validation library.
 */
export * from './domain';
export * from './grant';
export * from './workflow-messages';
export * from './activities';
export * from './topics';
export * from './search-attributes';
export * from './text';
