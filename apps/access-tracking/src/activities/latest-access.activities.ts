import type { AccessTrackingActivities } from '@lapse/contracts';

export interface LatestAccessSource {
  latestAccess(userId: string, resourceId: string): Promise<string | null>;
}

/** The activities this service hosts for the grant workflow (read from this service's data). */
export function createAccessTrackingActivities(
  source: LatestAccessSource,
): AccessTrackingActivities {
  return {
    latestAccess: ({ userId, resourceId }) => source.latestAccess(userId, resourceId),
  };
}
