/**
 * An audit entry's before and after as a diff: both sides flattened to dotted paths
 * (`policy.autoLock.durationSeconds`), and only the paths whose value changed, added or removed.
 */
export interface DiffLine {
  path: string;
  before: string;
  after: string;
  kind: 'added' | 'removed' | 'changed';
}

export function auditDiff(before: unknown, after: unknown): DiffLine[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lines: DiffLine[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (x === y) continue;
    lines.push({
      path: path || '(value)',
      before: x ?? '',
      after: y ?? '',
      kind: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed',
    });
  }
  return lines;
}

/** Leaves of `v` by path; an empty object or array is a leaf of its own (`{}`, `[]`). */
function flatten(v: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (v === undefined) return out;
  if (Array.isArray(v)) {
    // Arrays of scalars read better on one line (group ids, roles).
    if (v.every((x) => x === null || typeof x !== 'object')) out.set(path, JSON.stringify(v));
    else if (v.length === 0) out.set(path, '[]');
    else v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.set(path, '{}');
    for (const [k, x] of entries) flatten(x, path ? `${path}.${k}` : k, out);
    return out;
  }
  out.set(path, v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));
  return out;
}
