import { outboxMigration } from '@lapse/db';
import { LastAccessAndProjection1763800100000 } from './1763800100000-last-access-and-projection';
import { ProjectionExpiry1764500000000 } from './1764500000000-projection-expiry';
import { ProjectionAutoLock1764600000000 } from './1764600000000-projection-auto-lock';
import { LastAccessFillfactor1764700000000 } from './1764700000000-last-access-fillfactor';

/** In order; each is reversible. */
export const migrations = [
  outboxMigration('access_tracking', 1763800000000),
  LastAccessAndProjection1763800100000,
  ProjectionExpiry1764500000000,
  ProjectionAutoLock1764600000000,
  LastAccessFillfactor1764700000000,
];
