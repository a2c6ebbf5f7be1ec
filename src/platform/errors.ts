/**
 * The closed set of error categories. Domain errors extend `AppError` with one of these;
 * `http/problem.ts` alone decides what each means on the wire, so no module ever picks a status code.
 */
export type ErrorCategory =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'failed_dependency'
  | 'service_unavailable';

/** One problem with one field: `path` is a JSON Pointer into the offending document. */
export interface FieldError {
  path: string;
  message: string;
}

/** The errors without repeats, in their first order: several checks can report the same problem. */
export function uniqueFieldErrors(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter(({ path, message }) => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class AppError extends Error {
  readonly category: ErrorCategory;
  readonly errors: FieldError[];

  constructor(category: ErrorCategory, message: string, errors: FieldError[] = []) {
    super(message);
    this.name = new.target.name;
    this.category = category;
    this.errors = errors;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, errors: FieldError[] = []) {
    super('validation', message, errors);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'a valid API key is required: send "Authorization: Bearer <key>"') {
    super('unauthenticated', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, errors: FieldError[] = []) {
    super('conflict', message, errors);
  }
}

export class PreconditionFailedError extends AppError {
  constructor(message: string, errors: FieldError[] = []) {
    super('precondition_failed', message, errors);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}

export class RateLimitedError extends AppError {
  /** Seconds after which a retry may succeed, when known. */
  readonly retryAfter?: number;

  constructor(message: string, retryAfter?: number) {
    super('rate_limited', message);
    this.retryAfter = retryAfter;
  }
}

export class FailedDependencyError extends AppError {
  constructor(message: string) {
    super('failed_dependency', message);
  }
}

/**
 * Something this service needs (its database) cannot be reached right now; nothing was done, and the
 * same request may succeed later. Unlike `failed_dependency`, the fault is transient and ours to wait out.
 */
export class ServiceUnavailableError extends AppError {
  /** Seconds after which a retry may succeed. */
  readonly retryAfter: number;

  constructor(message: string, retryAfter: number, options?: { cause?: unknown }) {
    super('service_unavailable', message);
    this.retryAfter = retryAfter;
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
