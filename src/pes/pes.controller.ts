import { Body, Controller, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';
import { PesAccessService, PesAction } from '@/pes/pes-access.service';
import { AcquitResult, PesAcquitService } from '@/pes/pes-acquit.service';
import { AsapRetourResult, PesAsapRetourService } from '@/pes/pes-asap-retour.service';
import { BudgetView, PesBudgetsService } from '@/pes/pes-budgets.service';
import { BordereauView, GenerateResult, PesGenerateService } from '@/pes/pes-generate.service';
import { pesMeta } from '@/pes/pes-meta';
import { BudgetSettingsDto, FileContentDto, GenerateDto } from '@/pes/pes.dto';

@ApiTags('pes')
@Controller('api/pes')
export class PesController {
  constructor(
    private readonly budgets: PesBudgetsService,
    private readonly generator: PesGenerateService,
    private readonly acquits: PesAcquitService,
    private readonly access: PesAccessService,
    private readonly asapRetours: PesAsapRetourService,
  ) {}

  private async guard(user: Principal, budgetCode: string, action: PesAction): Promise<void> {
    const budget = await this.budgets.findEntity(budgetCode);
    // An unknown budget: the service answers « inconnu ».
    if (budget) await this.access.assertBudget(user, budget, action);
  }

  @Get('meta')
  @ApiOperation({ summary: 'Listes de codes (Edition, civilités, grille CatTiers/NatJur, domaines d’acquittement) et textes des pages PES' })
  meta(): ReturnType<typeof pesMeta> {
    return pesMeta();
  }

  @Put('budgets')
  @ApiOperation({ summary: 'Paramétrage ASAP d’un budget (collectivité, signataire, trésorerie, modalités) : admin de la structure du budget' })
  async upsertBudget(@CurrentUser() user: Principal, @Body() body: BudgetSettingsDto): Promise<BudgetView> {
    const code = String(body.code ?? '');
    const idColl = String((body.collectivite as { siret?: unknown })?.siret ?? '');
    // Both the budget as it is (another structure's, under the same code) and as it would become.
    await this.guard(user, code, 'settings');
    await this.access.assertBudget(user, { code, idColl }, 'settings');
    return this.budgets.upsert(body);
  }

  @Get('budgets')
  async listBudgets(@CurrentUser() user: Principal): Promise<BudgetView[]> {
    const out: BudgetView[] = [];
    for (const b of await this.budgets.list()) {
      const ok = await this.access.assertBudget(user, { code: b.code, idColl: b.settings.collectivite.siret }, 'read').then(() => true, () => false);
      if (ok) out.push(b);
    }
    return out;
  }

  @Get('budgets/:code')
  async getBudget(@CurrentUser() user: Principal, @Param('code') code: string): Promise<BudgetView> {
    await this.guard(user, code, 'read');
    return this.budgets.get(code);
  }

  @Post('generate')
  @ApiOperation({ summary: 'Génère les flux PES_Aller (titres + ASAP) des titres en attente du budget' })
  async generate(@CurrentUser() user: Principal, @Body() body: GenerateDto): Promise<GenerateResult> {
    await this.guard(user, body.budget, 'write');
    return this.generator.generate(body.budget, { bordereau: body.bordereau, year: body.year });
  }

  @Get('bordereaux')
  @ApiOperation({ summary: 'Bordereaux du budget (titres, mandats) : fichier, état GENERE/ACCEPTE/REJETE, chaque erreur Hélios (domaine, pièce, ligne, numéro)' })
  async bordereaux(@CurrentUser() user: Principal, @Query('budget') budget: string): Promise<BordereauView[]> {
    await this.guard(user, budget, 'read');
    return this.generator.listBordereaux(budget);
  }

  @Get('bordereaux/:id/file')
  @ApiOperation({ summary: "Télécharge à nouveau le fichier PES d'un bordereau généré" })
  async file(@CurrentUser() user: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const { fileName, stream, budget } = await this.generator.openFile(id);
    await this.access.assertBudget(user, budget, 'read');
    res.setHeader('content-type', 'application/xml');
    res.setHeader('content-disposition', `attachment; filename="${fileName}"`);
    (stream as NodeJS.ReadableStream).pipe(res);
  }

  @Post('acquit')
  @ApiOperation({ summary: 'Lit un PES_ACQUIT : bordereaux acceptés ou rejetés par Hélios' })
  acquit(@CurrentUser() user: Principal, @Body() body: FileContentDto): Promise<AcquitResult> {
    return this.acquits.apply(Buffer.from(body.contentBase64, 'base64'), (budget) => this.access.assertBudget(user, budget, 'write'));
  }

  @Post('asap-retour')
  @ApiOperation({ summary: 'Lit un PES_AsapRetour : postalisation, notification, première lecture ou rejet de chaque ASAP, gardés sur le titre' })
  asapRetour(@CurrentUser() user: Principal, @Body() body: FileContentDto): Promise<AsapRetourResult> {
    return this.asapRetours.apply(Buffer.from(body.contentBase64, 'base64'), (budget) => this.access.assertBudget(user, budget, 'write'));
  }
}
