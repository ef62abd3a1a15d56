/** Injection token of the service's validated GrantWorkerConfig. */
export const GRANT_WORKER_CONFIG = Symbol('GRANT_WORKER_CONFIG');
