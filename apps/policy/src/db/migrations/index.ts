import { outboxMigration } from '@lapse/db';
import { PolicyModel1763800001000 } from './1763800001000-policy-model';
import { UserLifecycle1763800002000 } from './1763800002000-user-lifecycle';
import { Scim1763800003000 } from './1763800003000-scim';

/** In order; each is reversible. */
export const migrations = [
  outboxMigration('policy', 1763800000000),
  PolicyModel1763800001000,
  UserLifecycle1763800002000,
  Scim1763800003000,
];
