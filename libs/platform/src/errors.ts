/**
 * One error type for every client-facing failure, mapped to HTTP by one exhaustive switch.
 * Services throw `LapseError`; the exception filter renders `{statusCode, error, message}`.
 */
export type LapseErrorKind =
  | 'VALIDATION'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE';

export class LapseError extends Error {
  constructor(
    readonly kind: LapseErrorKind,
    message: string,
    /** The request field at fault, for VALIDATION. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LapseError';
  }

  static validation(field: string, message: string): LapseError {
    return new LapseError('VALIDATION', `${field}: ${message}`, field);
  }
  static notFound(what: string, id: string): LapseError {
    return new LapseError('NOT_FOUND', `${what} ${id} not found`);
  }
  static conflict(message: string): LapseError {
    return new LapseError('CONFLICT', message);
  }
  static forbidden(message = 'not allowed for your roles'): LapseError {
    return new LapseError('FORBIDDEN', message);
  }
  static unauthorized(message = 'missing or invalid bearer token'): LapseError {
    return new LapseError('UNAUTHORIZED', message);
  }
}

export function httpStatusOf(kind: LapseErrorKind): number {
  switch (kind) {
    case 'VALIDATION':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    default: {
      const never: never = kind;
      throw new Error(`unmapped error kind ${String(never)}`);
    }
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message };
}
