/**
 * What a grant workflow's refusal means to a client: one exhaustive switch from each
 * GRANT_ERRORS type to a LapseError kind (and so an HTTP status). Pure.
 */
import { GRANT_ERRORS, type GrantErrorType } from '@lapse/contracts';
import { LapseError } from '@lapse/platform';

const KNOWN = new Set<string>(Object.values(GRANT_ERRORS));

export function isGrantErrorType(type: string | undefined | null): type is GrantErrorType {
  return typeof type === 'string' && KNOWN.has(type);
}

/**
 * The client-facing error for a refused update. A 400 names the update's field at fault; the
 * HTTP APIs use the same field names (reason, durationSeconds, note, decision, requestId).
 */
export function grantErrorToLapse(type: GrantErrorType, message: string): LapseError {
  switch (type) {
    case GRANT_ERRORS.NOT_PENDING:
      return LapseError.conflict(`the request is no longer pending (${message})`);
    case GRANT_ERRORS.GRANT_TERMINAL:
      return LapseError.conflict(`the grant has ended (${message})`);
    case GRANT_ERRORS.NOT_LOCKED:
      return LapseError.conflict('you already have access: the grant is not locked');
    case GRANT_ERRORS.REQUEST_NOT_FOUND:
      // The caller knows the request; the grant no longer holds it open.
      return LapseError.conflict(`the grant no longer has this request open (${message})`);
    case GRANT_ERRORS.SELF_REVIEW:
      return LapseError.forbidden('nobody reviews their own request');
    case GRANT_ERRORS.NOT_ACTIVE:
      return LapseError.conflict(`there is no active access period to end (${message})`);
    case GRANT_ERRORS.SELF_UNLOCK:
      return LapseError.forbidden('nobody unlocks their own grant (four eyes)');
    case GRANT_ERRORS.NOT_GRANT_USER:
      return LapseError.forbidden(`only the grant’s user may do this (${message})`);
    case GRANT_ERRORS.INVALID_DURATION:
      return invalid('durationSeconds', message);
    case GRANT_ERRORS.INVALID_REASON:
      return invalid('reason', message);
    case GRANT_ERRORS.INVALID_NOTE:
      return invalid('note', message);
    case GRANT_ERRORS.INVALID_DECISION:
      return invalid('decision', message);
    case GRANT_ERRORS.INVALID_REQUEST_ID:
      return invalid('requestId', message);
    default: {
      const never: never = type;
      throw new Error(`unmapped grant error ${String(never)}`);
    }
  }
}

/** "durationSeconds must be …" → "durationSeconds: must be …" (no field named twice). */
function invalid(field: string, message: string): LapseError {
  return LapseError.validation(
    field,
    message.startsWith(`${field} `) ? message.slice(field.length + 1) : message,
  );
}
