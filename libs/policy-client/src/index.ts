/**
 * The policy client: the one way services read the policy service's REST API (users, resources,
 * approvers, notification settings) with a service token, on the contract's view types, with one
 * cache, and the user directory built on it.
 */
export * from './policy-client';
export * from './user-directory';
export * from './nest';
