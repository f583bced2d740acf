import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';
import { DomainError, DomainErrorKind, TooManyAttemptsError } from '@/common/errors/domain.error';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
};

/** The one place where domain errors become HTTP answers: `{ code, message, details }`. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (error instanceof DomainError) {
      if (error instanceof TooManyAttemptsError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(STATUS_BY_KIND[error.kind]).json({ code: error.code, message: error.message, details: error.details });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message =
        typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : error.message;
      res.status(status).json({
        code: status === 400 ? 'INVALID_REQUEST' : status === 404 ? 'NOT_FOUND' : `HTTP_${status}`,
        message: Array.isArray(message) ? message.join(' ; ') : String(message),
      });
      return;
    }
    this.logger.error(error instanceof Error ? error.stack : String(error));
    res.status(500).json({ code: 'INTERNAL_ERROR', message: 'Erreur interne du service' });
  }
}
