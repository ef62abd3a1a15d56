/** Injection token of the service's validated AccessTrackingConfig. */
export const ACCESS_TRACKING_CONFIG = Symbol('ACCESS_TRACKING_CONFIG');
