import type { Principal } from '@lapse/auth';
import type { Viewer } from './review-rules';

export function viewerOf(p: Principal): Viewer {
  return p.kind === 'service' ? { kind: 'service' } : { kind: 'user', id: p.id, roles: p.roles };
}
