import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, ValidateNested, IsArray } from 'class-validator';
import { ForbiddenError } from '@/common/errors/domain.error';
import { StructureView, StructuresService } from '@/structures/structures.service';
import { CurrentUser } from '@/users/auth.decorators';
import { assertAdmin, Principal } from '@/users/principal';

class ServiceDto {
  @ApiProperty() @IsString() code: string;
  @ApiProperty() @IsString() label: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

class StructureDto {
  @ApiProperty({ example: '21930053000017' }) @IsString() siret: string;
  @ApiProperty() @IsString() name: string;
  @ApiPropertyOptional({ type: [ServiceDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ServiceDto)
  services?: ServiceDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() serviceRequired?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() engagementRequired?: boolean;
  @ApiPropertyOptional({ description: 'N° d’engagement ou code service : l’un des deux sur chaque facture' }) @IsOptional() @IsBoolean() engagementOrServiceRequired?: boolean;
  @ApiPropertyOptional({ description: 'délai global de paiement : 30, ou 50 pour un établissement public de santé (R2192-10)', enum: [30, 50] })
  @IsOptional()
  @IsInt()
  paymentDelayDays?: number;
  @ApiPropertyOptional({ description: 'établissement public de santé (délai de 50 jours au lieu de 30)' }) @IsOptional() @IsBoolean() publicHealthBody?: boolean;
}

class TechnicalAccountDto {
  @ApiProperty({ description: 'login du compte technique Chorus Pro' }) @IsString() @MaxLength(200) login: string;
  @ApiProperty({ description: 'mot de passe (chiffré au repos, jamais renvoyé)' }) @IsString() @MaxLength(500) password: string;
}

class ReturnModeDto {
  @ApiProperty({ enum: ['api', 'file', 'off', 'auto'] }) @IsIn(['api', 'file', 'off', 'auto']) mode: 'api' | 'file' | 'off' | 'auto';
}

class HeliosComptableDto {
  @ApiProperty({ description: '« Comptable sous Hélios » : Hélios indique à Chorus Pro la mise en paiement, Passerelle ne l’envoie pas' })
  @IsBoolean()
  heliosComptable: boolean;
}

@ApiTags('structures')
@Controller('api/structures')
export class StructuresController {
  constructor(private readonly structures: StructuresService) {}

  @Get()
  @ApiOperation({ summary: "Les structures de l'utilisateur (un SIRET par budget) et leurs services" })
  async list(@CurrentUser() user: Principal): Promise<StructureView[]> {
    return (await this.structures.list()).filter((s) => user.structureIds.includes(s.id));
  }

  @Get(':siret')
  async get(@CurrentUser() user: Principal, @Param('siret') siret: string): Promise<StructureView> {
    const structure = await this.structures.get(siret);
    assertMember(user, structure);
    return structure;
  }

  /**
   * Declaring a new structure or changing one's settings is the gestionnaire principal's job; an admin only
   * changes the structures they belong to (a new structure is attached to nobody until users are added).
   */
  @Post()
  @ApiOperation({ summary: 'Déclare ou met à jour une structure (administrateur)' })
  async upsert(@CurrentUser() user: Principal, @Body() body: StructureDto): Promise<StructureView> {
    assertAdmin(user);
    const existing = await this.structures.findEntityBySiret(body.siret.replace(/\s/g, ''));
    if (existing) assertMember(user, existing);
    return this.structures.upsert(body);
  }

  @Post(':siret/technical-account')
  @HttpCode(200)
  @ApiOperation({ summary: 'Compte technique Chorus Pro de la structure (administrateur) ; le mot de passe n’est jamais renvoyé' })
  async setTechnicalAccount(@CurrentUser() user: Principal, @Param('siret') siret: string, @Body() body: TechnicalAccountDto): Promise<StructureView> {
    assertAdmin(user);
    assertMember(user, await this.structures.get(siret));
    return this.structures.setTechnicalAccount(siret, body.login, body.password);
  }

  @Post(':siret/return-mode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mode de retour des statuts vers Chorus Pro : api, file, off ou auto (administrateur)' })
  async setReturnMode(@CurrentUser() user: Principal, @Param('siret') siret: string, @Body() body: ReturnModeDto): Promise<StructureView> {
    assertAdmin(user);
    assertMember(user, await this.structures.get(siret));
    return this.structures.setReturnMode(siret, body.mode);
  }

  @Post(':siret/helios')
  @HttpCode(200)
  @ApiOperation({ summary: '« Comptable sous Hélios » (administrateur) : oui, aucune MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE ni MISE_EN_PAIEMENT n’est envoyée à Chorus Pro' })
  async setHelios(@CurrentUser() user: Principal, @Param('siret') siret: string, @Body() body: HeliosComptableDto): Promise<StructureView> {
    assertAdmin(user);
    assertMember(user, await this.structures.get(siret));
    return this.structures.setHeliosComptable(siret, body.heliosComptable);
  }
}

export function assertMember(user: Principal, structure: { id: string; siret: string }): void {
  if (!user.structureIds.includes(structure.id)) {
    throw new ForbiddenError('STRUCTURE_FORBIDDEN', `La structure ${structure.siret} ne fait pas partie de vos structures`);
  }
}
