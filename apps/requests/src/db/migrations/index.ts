import { outboxMigration } from '@lapse/db';
import { AccessRequests1763800003000 } from './1763800003000-access-requests';

/** In order; each is reversible. */
export const migrations = [outboxMigration('requests', 1763800000000), AccessRequests1763800003000];
