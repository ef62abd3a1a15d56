import { outboxMigration } from '@lapse/db';

/** In order; each is reversible. */
export const migrations = [outboxMigration('requests', 1763800000000)];
