/**
 * The grant client: the one way services and tests drive grant workflows (apply/start,
 * accessed, revoke, submit, review, cancel, unlock, end, state), each call on a `GrantRef`, refusals as
 * `LapseError`s by one exhaustive mapping, one deadline policy.
 */
export * from './grant-client';
export * from './grant-errors';
