import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { StructuresModule } from '@/structures/structures.module';
import { AuthGuard } from '@/users/auth.guard';
import { AuthService } from '@/users/auth.service';
import { RequestOriginGuard } from '@/users/request-origin.guard';
import { LoginThrottle } from '@/users/login.throttle';
import { PrincipalCache } from '@/users/principal.cache';
import { AuthController, UsersController } from '@/users/users.controller';
import { UsersRepository } from '@/users/users.repository';
import { UsersService } from '@/users/users.service';

/** Users, roles, API tokens, sessions and the global authentication guard. */
@Module({
  imports: [StructuresModule],
  providers: [
    UsersRepository,
    UsersService,
    LoginThrottle,
    PrincipalCache,
    AuthService,
    // In this order: a cross-site or non-JSON change is refused before anything else is looked at.
    { provide: APP_GUARD, useClass: RequestOriginGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  controllers: [UsersController, AuthController],
  exports: [UsersService, AuthService],
})
export class UsersModule {}
