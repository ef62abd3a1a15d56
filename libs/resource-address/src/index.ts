/**
 * Resource addresses (what the proxies protect): their forms, how a request's target is matched
 * against them (forward-auth's index), and whether one address covers a URL (the console's
 * `return_to`). One set of rules for both.
 */
export * from './resource-address';
