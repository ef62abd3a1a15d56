import { outboxMigration } from '@lapse/db';
import { Deliveries1763800100000 } from './1763800100000-deliveries';
import { AttemptStarted1763800200000 } from './1763800200000-attempt-started';

/** In order; each is reversible. */
export const migrations = [
  outboxMigration('notifications', 1763800000000),
  Deliveries1763800100000,
  AttemptStarted1763800200000,
];
