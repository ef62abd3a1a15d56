/** Postgres error codes the services map to client errors. */
export const PG = { uniqueViolation: '23505', foreignKeyViolation: '23503' } as const;

export function pgCode(e: unknown): string | undefined {
  const code =
    (e as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code ??
    (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}
