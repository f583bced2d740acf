import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { UnauthenticatedError } from '@/common/errors/domain.error';
import { Principal } from '@/users/principal';

export const IS_PUBLIC = 'passerelle:public';

/** Route reachable without authentication (login, health …). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

export const ACCEPTS_UPLOAD = 'passerelle:accepts-upload';
/** Content types of a genuine file upload: a form's file field, or the file's bytes as the body. */
export const UPLOAD_TYPES = ['multipart/form-data', 'application/octet-stream'];

/**
 * A route receiving a file (a pivot flow, a PES file): exempt from the JSON-only rule of state-changing requests
 * (RequestOriginGuard) for `types`; the Origin check against cross-site requests still applies to it.
 */
export const AcceptsUpload = (types: string[] = UPLOAD_TYPES): MethodDecorator & ClassDecorator => SetMetadata(ACCEPTS_UPLOAD, types);

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
