import { outboxMigration } from '@lapse/db';

/** In order; each is reversible. */
export const migrations = [outboxMigration('access_tracking', 1763800000000)];
