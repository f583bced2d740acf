/**
 * A rule of the domain was broken. `code` is stable (clients and tests match on it); `message` is French,
 * for the people using the service. The HTTP status is chosen by the kind, in one place (DomainErrorFilter).
 */
export type DomainErrorKind =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'unavailable'
  | 'rate_limited'
  /** The request itself is malformed (query parameter, JSON, characters): nothing of the domain was looked at. */
  | 'bad_request'
  | 'too_large'
  | 'unsupported_media_type';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly details?: Record<string, unknown>;

  /** `new DomainError(code, message, details?)` is an 'invalid' request; subclasses choose other kinds. */
  constructor(
    readonly code: string,
    message: string,
    kindOrDetails?: DomainErrorKind | Record<string, unknown>,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
    if (typeof kindOrDetails === 'string') {
      this.kind = kindOrDetails;
      this.details = details;
    } else {
      this.kind = 'invalid';
      this.details = kindOrDetails ?? details;
    }
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 'not_found', details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 'conflict', details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 'forbidden', details);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code = 'UNAUTHENTICATED', message = 'Authentification requise', details?: Record<string, unknown>) {
    super(code, message, 'unauthenticated', details);
  }
}

/** Too many attempts: refused for `retryAfterSeconds` (sent as the HTTP `Retry-After` header). */
export class TooManyAttemptsError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, 'rate_limited', { retryAfterSeconds });
  }
}

/** A malformed request (query parameter, body, characters): HTTP 400 with a French message. */
export class BadRequestError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 'bad_request', details);
  }
}
