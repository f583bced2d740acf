import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { UnauthenticatedError } from '@/common/errors/domain.error';
import { AuthenticatedRequest, IS_PUBLIC } from '@/users/auth.decorators';
import { AuthService, SESSION_COOKIE } from '@/users/auth.service';

/** Probes that must answer without credentials (their controllers belong to other modules). */
const PUBLIC_PATHS = ['/health', '/metrics'];

/**
 * Global guard (APP_GUARD): every route needs `Authorization: Bearer <token>` or the session cookie,
 * except @Public() ones. The OpenAPI pages (/api/docs) are served outside Nest's router, hence public.
 * Authorisation (roles, structures) is decided by the services, on the server, for API and CLI alike.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const isPublic =
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) ||
      PUBLIC_PATHS.includes(req.path);
    const principal = await this.authenticate(req);
    if (principal) req.user = principal;
    if (isPublic) return true;
    if (!principal) throw new UnauthenticatedError('UNAUTHENTICATED', 'Authentification requise (jeton ou session)');
    return true;
  }

  private async authenticate(req: Request) {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) return this.auth.byApiToken(header.slice(7).trim());
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    return cookie ? this.auth.bySession(cookie) : null;
  }
}
