import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { MandateExportService } from '@/invoices/mandate-export.service';
import { PesAccessService, PesAction } from '@/pes/pes-access.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { FileContentDto } from '@/pes/pes.dto';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';
import { DepenseBordereauService, DepenseGenerateResult, DepenseOverview } from '@/pes/depense/depense-bordereau.service';
import { DepenseRetourService, RetourResult } from '@/pes/depense/depense-retour.service';

class DepenseGenerateDto {
  @ApiProperty() @IsString() @MaxLength(50) budget: string;
  @ApiPropertyOptional({ description: "Numéro d'un bordereau de mandats déjà généré (rien n'est régénéré : son fichier est rendu)" }) @IsOptional() @IsInt() bordereau?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() year?: number;
}

class ReleaseDto {
  @ApiProperty() @IsString() @MaxLength(50) budget: string;
  @ApiProperty({ example: '2026-000012' }) @IsString() @MaxLength(20) mandat: string;
}

/** Mandats to Hélios (PES_DepenseAller) and Hélios' retour (PES_DepenseRetour), scoped to the budget's structure. */
@ApiTags('pes')
@Controller('api/pes/depense')
export class DepensePesController {
  constructor(
    private readonly bordereaux: DepenseBordereauService,
    private readonly retours: DepenseRetourService,
    private readonly mandates: MandateExportService,
    private readonly budgets: PesBudgetsService,
    private readonly access: PesAccessService,
  ) {}

  private async guard(user: Principal, budgetCode: string, action: PesAction): Promise<void> {
    await this.access.assertBudget(user, await this.budgets.getEntity(budgetCode), action);
  }

  @Get()
  @ApiOperation({ summary: 'Mandats du budget : à envoyer (retenus, refusés avec le motif), envoyés et leur état chez Hélios' })
  async overview(@CurrentUser() user: Principal, @Query('budget') budget: string): Promise<DepenseOverview> {
    await this.guard(user, String(budget ?? ''), 'read');
    return this.bordereaux.overview(budget);
  }

  @Post('generate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Génère le bordereau de mandats (PES_DepenseAller) des mandats non encore envoyés, un par exercice' })
  async generate(@CurrentUser() user: Principal, @Body() body: DepenseGenerateDto): Promise<DepenseGenerateResult> {
    await this.guard(user, body.budget, 'write');
    return this.bordereaux.generate(body.budget, { bordereau: body.bordereau, year: body.year });
  }

  @Post('release')
  @HttpCode(200)
  @ApiOperation({ summary: "Libère un mandat du train d'attente : il part avec le prochain bordereau" })
  async release(@CurrentUser() user: Principal, @Body() body: ReleaseDto): Promise<{ number: string; releasedAt: Date }> {
    await this.guard(user, body.budget, 'write');
    const { structure } = await this.bordereaux.budgetAndStructure(body.budget);
    return this.mandates.release([structure.id], body.mandat, user.email);
  }

  @Post('retour')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lit un PES_DepenseRetour : état des mandats, cessions-oppositions, paiements (mise en paiement des factures)' })
  retour(@CurrentUser() user: Principal, @Body() body: FileContentDto): Promise<RetourResult> {
    return this.retours.apply(Buffer.from(body.contentBase64, 'base64'), body.fileName ?? null, (budget) => this.access.assertBudget(user, budget, 'write'));
  }
}
