import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { DomainError, ForbiddenError } from '@/common/errors/domain.error';
import { AppConfig } from '@/config/app.config';
import { ACCEPTS_UPLOAD } from '@/users/auth.decorators';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Against cross-site request forgery, on every state-changing request (POST, PUT, PATCH, DELETE):
 * - the body is JSON (`Content-Type: application/json`), which a page of another origin can only send after a CORS
 *   preflight this service never grants; routes marked @AcceptsUpload() also take their file types. A Bearer client
 *   may send no body at all; a cookie-authenticated or anonymous one (log-in) always declares JSON;
 * - unless authenticated by a Bearer token (never sent by a browser on its own), the request comes from the app's own
 *   origin: `Origin` equal to PUBLIC_URL or to the origin the request was addressed to (scheme + Host), and
 *   `Sec-Fetch-Site`, when the browser sends it, `same-origin`. A request with neither header (a script, curl) passes.
 */
@Injectable()
export class RequestOriginGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    const bearer = /^Bearer\s/i.test(req.headers.authorization ?? '');
    const uploads = this.reflector.getAllAndOverride<string[] | undefined>(ACCEPTS_UPLOAD, [context.getHandler(), context.getClass()]) ?? [];
    this.checkContentType(req, uploads, bearer);
    if (!bearer) this.checkOrigin(req);
    return true;
  }

  private checkContentType(req: Request, uploads: string[], bearer: boolean): void {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json' || uploads.includes(type)) return;
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (type === '' && bearer && !hasBody) return;
    const expected = ['application/json', ...uploads].join(' ou ');
    throw new DomainError(
      'JSON_REQUIRED',
      `Type de contenu ${type ? `« ${type} » ` : 'absent '}refusé : ${expected} attendu pour une modification`,
      'unsupported_media_type',
      { expected: ['application/json', ...uploads] },
    );
  }

  private checkOrigin(req: Request): void {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.ownOrigins(req).includes(normalise(origin) ?? '')) {
      throw new ForbiddenError('CROSS_ORIGIN_REFUSED', `Requête refusée : elle vient d'une autre origine (${origin}) que les pages de Passerelle`);
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new ForbiddenError('CROSS_ORIGIN_REFUSED', `Requête refusée : elle vient d'un autre site (${site}) que les pages de Passerelle`);
    }
  }

  /** PUBLIC_URL (a reverse proxy's address) and the origin the browser addressed this request to. */
  private ownOrigins(req: Request): string[] {
    const own = req.headers.host ? normalise(`${req.protocol}://${req.headers.host}`) : null;
    return [this.config.publicOrigin, own].filter((o): o is string => Boolean(o));
  }
}

/** scheme://host[:port] as browsers write it (lower case, default port left out); null when not an origin. */
function normalise(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}
