/**
 * Whether Postgres refused a statement for its data (SQLSTATE class 22 "data exception", e.g. a
 * NUL byte in text, or 23 "integrity constraint violation"): the same statement fails the same
 * way every time, so retrying cannot help. Connection loss, timeouts and the like are not.
 */
export function isDataError(err: unknown): boolean {
  const code =
    (err as { code?: unknown; driverError?: { code?: unknown } } | null)?.code ??
    (err as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
