import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Request, Response } from 'express';
import { AppConfig } from '@/config/app.config';
import { CurrentUser, Public } from '@/users/auth.decorators';
import { AuthService, SESSION_COOKIE } from '@/users/auth.service';
import { assertAdmin, Principal } from '@/users/principal';
import { UserView } from '@/users/users.repository';
import { USER_ROLES, UsersService } from '@/users/users.service';

class NewUserDto {
  @ApiProperty({ example: 'compta@mairie.fr' }) @IsString() email: string;
  @ApiProperty({ enum: USER_ROLES }) @IsIn(USER_ROLES as string[]) role: string;
  @ApiProperty({ type: [String], example: ['21930053000017'] }) @IsArray() @ArrayNotEmpty() @IsString({ each: true }) structureSirets: string[];
  @ApiPropertyOptional({ description: 'pour la connexion aux pages (12 caractères au moins)' }) @IsOptional() @IsString() password?: string;
}

class TokenDto {
  @ApiPropertyOptional({ description: "adresse de l'utilisateur (vous-même par défaut)" }) @IsOptional() @IsString() email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) label?: string;
}

class TransferDto {
  @ApiProperty() @IsString() siret: string;
  @ApiProperty({ description: 'nouveau gestionnaire principal' }) @IsString() email: string;
}

class UserEmailDto {
  @ApiProperty({ example: 'agent@mairie.fr' }) @IsString() email: string;
}

class LoginDto {
  @ApiProperty() @IsString() email: string;
  @ApiProperty() @IsString() password: string;
}

@ApiTags('utilisateurs')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Utilisateurs des structures que vous administrez (admin)' })
  list(@CurrentUser() me: Principal): Promise<UserView[]> {
    assertAdmin(me);
    return this.users.list(me);
  }

  @Get('me')
  @ApiOperation({ summary: 'Vous : rôle et structures' })
  me(@CurrentUser() me: Principal): Principal {
    return me;
  }

  @Post()
  @ApiOperation({ summary: 'Crée un utilisateur rattaché à vos structures (admin)' })
  add(@CurrentUser() me: Principal, @Body() body: NewUserDto): Promise<UserView> {
    assertAdmin(me);
    return this.users.add(body, me);
  }

  @Post('tokens')
  @ApiOperation({ summary: "Crée un jeton d'API personnel (affiché une seule fois)" })
  token(@CurrentUser() me: Principal, @Body() body: TokenDto): Promise<{ token: string; prefix: string }> {
    return this.users.issueToken(body.email ?? me.email, body.label ?? null, me);
  }

  @Post('deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Désactive un utilisateur : sessions closes, jetons révoqués (admin)' })
  deactivate(@CurrentUser() me: Principal, @Body() body: UserEmailDto): Promise<UserView> {
    assertAdmin(me);
    return this.users.deactivate(body.email, me);
  }

  @Post('reactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Réactive un utilisateur (ses anciens jetons restent révoqués) (admin)' })
  reactivate(@CurrentUser() me: Principal, @Body() body: UserEmailDto): Promise<UserView> {
    assertAdmin(me);
    return this.users.reactivate(body.email, me);
  }

  @Post('tokens/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: "Révoque tous les jetons d'API d'un utilisateur (vous-même par défaut)" })
  revokeTokens(@CurrentUser() me: Principal, @Body() body: TokenDto): Promise<{ revoked: number }> {
    return this.users.revokeTokens(body.email ?? me.email, me);
  }

  @Post('transfer-admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Transfère le rôle de gestionnaire principal d’une structure' })
  transfer(@CurrentUser() me: Principal, @Body() body: TransferDto): Promise<UserView> {
    assertAdmin(me);
    return this.users.transferMainAdmin(body.siret, body.email, me);
  }
}

@ApiTags('utilisateurs')
@Controller('api/auth')
export class AuthController {
  // `Secure` only when configured (SESSION_COOKIE_SECURE): the pages are also served in plain HTTP (demo, a LAN
  // address), where a Secure cookie would never come back; behind the collectivité's TLS reverse proxy, turn it on.
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Connexion aux pages : pose un cookie de session httpOnly' })
  async login(@Body() body: LoginDto, @Res({ passthrough: true }) res: Response): Promise<Principal> {
    const { secret, expiresAt, principal } = await this.auth.login(body.email, body.password);
    res.cookie(SESSION_COOKIE, secret, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.sessionCookieSecure,
      path: '/',
      expires: expiresAt,
    });
    return principal;
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout((req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { path: '/', secure: this.config.sessionCookieSecure });
  }
}
