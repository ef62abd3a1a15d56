/** Injection token of the validated RequestsConfig. */
export const REQUESTS_CONFIG = Symbol('REQUESTS_CONFIG');
