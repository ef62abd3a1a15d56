import { outboxMigration } from '@lapse/db';
import { Deliveries1763800100000 } from './1763800100000-deliveries';

/** In order; each is reversible. */
export const migrations = [outboxMigration('notifications', 1763800000000), Deliveries1763800100000];
