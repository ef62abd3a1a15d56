import { Sessions1764500000000 } from './1764500000000-sessions';

/** In order; each is reversible. */
export const migrations = [Sessions1764500000000];
