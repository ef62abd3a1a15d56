import { outboxMigration } from '@lapse/db';

/** In order; each is reversible. */
export const migrations = [outboxMigration('grant_worker', 1763800000000)];
