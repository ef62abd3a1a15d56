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
  | 'PAYLOAD_TOO_LARGE'
  /** A service or server this one needs is down: the client may retry (503). */
  | 'UNAVAILABLE';

export class LapseError extends Error {
  constructor(
    readonly kind: LapseErrorKind,
    message: string,
    /** The request field at fault, for VALIDATION. */
    readonly field?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
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
  static unavailable(dependency: string, cause?: unknown): LapseError {
    return new LapseError(
      'UNAVAILABLE',
      `${dependency} is unavailable: try again shortly`,
      undefined,
      cause,
    );
  }
}

/** Error codes of a connection that could not be made or was lost (Node, Postgres). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P03',
]);
/** gRPC status UNAVAILABLE (Temporal's frontend not reachable). */
const GRPC_UNAVAILABLE = 14;

/**
 * Whether `err` (or an error it wraps) says a dependency is unreachable rather than that the
 * request or the code is wrong: a refused or timed-out connection, Postgres shutting down or not
 * yet accepting, Temporal's gRPC UNAVAILABLE. Such failures are 503s, not 500s.
 */
export function isDependencyDown(err: unknown): boolean {
  for (
    let e = err, depth = 0;
    e && typeof e === 'object' && depth < 8;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (code === GRPC_UNAVAILABLE && 'metadata' in e) return true;
    if (name === 'TimeoutError') return true;
    if (e instanceof LapseError && e.kind === 'UNAVAILABLE') return true;
  }
  return false;
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
    case 'UNAVAILABLE':
      return 503;
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
