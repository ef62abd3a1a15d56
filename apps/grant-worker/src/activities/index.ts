export * from './grant-state.activities';
