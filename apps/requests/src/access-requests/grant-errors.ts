/**
 * Maps what the grant workflow answers an update with to LapseError kinds (HTTP status), by one
 * exhaustive switch over GRANT_ERRORS. Pure: the gateway extracts the failure type and message.
 */
import { GRANT_ERRORS, type GrantErrorType } from '@lapse/contracts';
import { LapseError } from '@lapse/platform';

const KNOWN = new Set<string>(Object.values(GRANT_ERRORS));

export function isGrantErrorType(type: string | undefined | null): type is GrantErrorType {
  return typeof type === 'string' && KNOWN.has(type);
}

/** The client-facing error for a refused update; `field` names the input at fault for 400s. */
export function grantErrorToLapse(
  type: GrantErrorType,
  message: string,
  field: { reason: string; duration: string; note: string },
): LapseError {
  switch (type) {
    case GRANT_ERRORS.NOT_PENDING:
      return LapseError.conflict(`the request is no longer pending (${message})`);
    case GRANT_ERRORS.GRANT_TERMINAL:
      return LapseError.conflict(`the grant has ended (${message})`);
    case GRANT_ERRORS.NOT_LOCKED:
      return LapseError.conflict('you already have access: the grant is not locked');
    case GRANT_ERRORS.REQUEST_NOT_FOUND:
      return LapseError.conflict(`the grant no longer has this request open (${message})`);
    case GRANT_ERRORS.NO_REQUESTS:
      return LapseError.conflict(`this grant does not take access requests (${message})`);
    case GRANT_ERRORS.SELF_REVIEW:
      return LapseError.forbidden('nobody reviews their own request');
    case GRANT_ERRORS.NOT_ACTIVE:
      return LapseError.conflict(`there is no active access period to end (${message})`);
    case GRANT_ERRORS.SELF_UNLOCK:
      return LapseError.forbidden('nobody unlocks their own grant (four eyes)');
    case GRANT_ERRORS.NOT_REQUESTER:
      return LapseError.forbidden(`only the grant’s user may do this (${message})`);
    case GRANT_ERRORS.INVALID_DURATION:
      return LapseError.validation(field.duration, stripField(message, field.duration));
    case GRANT_ERRORS.INVALID_REASON:
      // The workflow uses this type for a bad reason, note or decision: name what it names.
      return message.startsWith('note')
        ? LapseError.validation(field.note, stripField(message, 'note'))
        : LapseError.validation(field.reason, stripField(message, 'reason'));
    default: {
      const never: never = type;
      throw new Error(`unmapped grant error ${String(never)}`);
    }
  }
}

/** "durationSeconds must be …" → "must be …" (LapseError.validation prefixes the field). */
function stripField(message: string, field: string): string {
  return message.startsWith(`${field} `) ? message.slice(field.length + 1) : message;
}
