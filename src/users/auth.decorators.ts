import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { UnauthenticatedError } from '@/common/errors/domain.error';
import { Principal } from '@/users/principal';

export const IS_PUBLIC = 'passerelle:public';

/** Route reachable without authentication (login, health …). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** `req.user`, set by AuthGuard and read through @CurrentUser(). */
export interface AuthenticatedRequest {
  user?: Principal;
}

/** The authenticated caller, set by AuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!principal) throw new UnauthenticatedError();
  return principal;
});
