import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { Request, Response } from 'express';
import { DomainErrorKind, TooManyAttemptsError } from '@/common/errors/domain.error';
import { describeError } from '@/common/errors/error-description';

const STATUS_BY_KIND: Record<DomainErrorKind | 'internal', number> = {
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  bad_request: HttpStatus.BAD_REQUEST,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The one place where every error becomes an HTTP answer `{ code, message, details }` with a French message: domain
 * errors, malformed requests (validation, JSON, body size, characters), database refusals, csv-parse and system errors
 * (ENOSPC …). The technical detail goes to the log, never to the user (error-description.ts).
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const d = describeError(error);
    const where = `${req?.method} ${req?.originalUrl ?? req?.url}`;
    if (d.log === 'error') this.logger.error(`${where} : ${d.code} — ${error instanceof Error ? error.stack : d.technical}`);
    else if (d.log === 'warn') this.logger.warn(`${where} : ${d.code} — ${d.technical}`);
    else if (d.log === 'debug') this.logger.debug(`${where} : ${d.code} — ${d.technical}`);
    if (res.headersSent) {
      // A streamed answer (an attachment) failed half-way: nothing more can be said, the client sees a cut.
      res.destroy();
      return;
    }
    if (error instanceof TooManyAttemptsError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(STATUS_BY_KIND[d.kind]).json({ code: d.code, message: d.message, details: d.details });
  }
}
