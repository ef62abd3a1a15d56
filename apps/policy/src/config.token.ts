/** Injection token of the service's validated PolicyConfig. */
export const POLICY_CONFIG = Symbol('POLICY_CONFIG');
