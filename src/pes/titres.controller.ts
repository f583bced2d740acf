import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow, IsString } from 'class-validator';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';
import { PesAccessService } from '@/pes/pes-access.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { TitresService, TitreView } from '@/pes/titres.service';

// Field rules live in one place (pes.types.ts, zod, French messages) shared with the file imports; the DTO
// lists the accepted keys for the whitelist and the OpenAPI document.
class TitreDto {
  @ApiPropertyOptional({ description: 'Référence du logiciel comptable (idempotence)' }) @Allow() ref?: string;
  @ApiProperty({ example: '2024-03-15' }) @Allow() issueDate: string;
  @ApiPropertyOptional({ description: "Exercice (par défaut l'année de la date d'émission)" }) @Allow() year?: number;
  @ApiProperty() @Allow() object: string;
  @ApiPropertyOptional({ example: '01' }) @Allow() typPce?: string;
  @ApiPropertyOptional({ example: '01' }) @Allow() natPce?: string;
  @ApiProperty({ enum: ['01', '02', '04'], description: 'Type ASAP : 01 à éditer, 02 CPP, 04 sans traitement DGFiP' }) @Allow() edition: string;
  @ApiPropertyOptional() @Allow() codServ?: string;
  @ApiProperty({ description: 'category (CatTiers), legalNature (NatJur), name, firstName, civility, siret, address{adr1,adr2,adr3,cp,ville,codPays}' })
  @Allow()
  debtor: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'ASAP CPP : code service du débiteur' }) @Allow() serviceCode?: string;
  @ApiPropertyOptional({ description: "ASAP CPP : numéro d'engagement juridique" }) @Allow() engagementNumber?: string;
  @ApiProperty({ description: 'productCode, nature, fonction, operation, label, quantity, unitPrice, amountHt, vatRate, amountTva' })
  @Allow()
  lines: Array<Record<string, unknown>>;
  @ApiPropertyOptional({ description: 'PDF joint (PJ 008) : { name, base64 }' }) @Allow() pdf?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Modification sans nouveau PDF : garder celui déjà joint' }) @Allow() keepPdf?: boolean;
}

class CreateTitreDto extends TitreDto {
  @ApiProperty({ description: 'Code du budget' }) @IsString() budget: string;
}

@ApiTags('titres')
@Controller('api/titres')
export class TitresController {
  constructor(
    private readonly titres: TitresService,
    private readonly budgets: PesBudgetsService,
    private readonly access: PesAccessService,
  ) {}

  private async guard(user: Principal, budgetCode: string, action: 'read' | 'write'): Promise<void> {
    await this.access.assertBudget(user, await this.budgets.getEntity(budgetCode), action);
  }

  @Post()
  @ApiOperation({ summary: 'Enregistre un titre de recette (numéro attribué sans trou, par budget et exercice)' })
  async create(@CurrentUser() user: Principal, @Body() body: CreateTitreDto): Promise<TitreView> {
    const { budget, ...titre } = body;
    await this.guard(user, budget, 'write');
    return this.titres.create(budget, titre);
  }

  @Get()
  @ApiQuery({ name: 'budget', required: true })
  @ApiQuery({ name: 'status', required: false, enum: ['EN_ATTENTE', 'EMIS'] })
  @ApiQuery({ name: 'year', required: false })
  async list(@CurrentUser() user: Principal, @Query('budget') budget: string, @Query('status') status?: string, @Query('year') year?: string): Promise<TitreView[]> {
    await this.guard(user, budget, 'read');
    return this.titres.list(budget, { status, year: year ? Number(year) : undefined });
  }

  @Get(':id')
  async get(@CurrentUser() user: Principal, @Param('id') id: string): Promise<TitreView> {
    const titre = await this.titres.get(id);
    await this.guard(user, titre.budget, 'read');
    return titre;
  }

  @Put(':id')
  @ApiOperation({ summary: "Modifie un titre tant qu'il n'est pas dans un bordereau généré" })
  async update(@CurrentUser() user: Principal, @Param('id') id: string, @Body() body: TitreDto): Promise<TitreView> {
    await this.guard(user, (await this.titres.get(id)).budget, 'write');
    return this.titres.update(id, body);
  }
}

