import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { BulkActionDto, MandateDto, ReasonDto, ReasonUpsertDto, RecycleDto } from '@/invoices/invoice-actions.dto';
import { BulkResult, InvoiceActionsService } from '@/invoices/invoice-actions.service';
import { UserAction } from '@/invoices/invoice-state.machine';
import { TransitionOutcome } from '@/invoices/invoice-transition.service';
import { MandateView } from '@/invoices/mandates.service';
import { Reason, ReasonsService } from '@/invoices/reasons.service';
import { CurrentUser } from '@/users/auth.decorators';
import { assertAdmin, Principal } from '@/users/principal';
import { StructuresService } from '@/structures/structures.service';

/** The workflow's REST surface; the rules live in InvoiceActionsService and the state machine. */
@ApiTags('factures — traitement')
@ApiBearerAuth()
@Controller('api/invoices')
export class InvoiceActionsController {
  constructor(private readonly actions: InvoiceActionsService) {}

  @Post('actions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Action sur une sélection (facturer tout, mandater, rejeter …) : un résultat par facture' })
  bulk(@CurrentUser() me: Principal, @Body() body: BulkActionDto): Promise<{ results: BulkResult[] }> {
    const { action, ids, ...input } = body;
    return this.actions.bulk(me, action, ids, input);
  }

  @Get(':id/mandate')
  @ApiOperation({ summary: 'Mandat de la facture (numéro, tiers, objet, imputations, PJ)' })
  mandateOf(@CurrentUser() me: Principal, @Param('id') id: string): Promise<MandateView> {
    return this.actions.mandate(me, id);
  }

  @Post(':id/record')
  @HttpCode(200)
  @ApiOperation({ summary: 'Facturer : enregistrer en comptabilité sans mandat' })
  record(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TransitionOutcome> {
    return this.run(me, 'record', id);
  }

  @Post(':id/service-done')
  @HttpCode(200)
  @ApiOperation({ summary: 'Certifier le service fait (Chorus Pro : SERVICE_FAIT)' })
  serviceDone(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TransitionOutcome> {
    return this.run(me, 'service-done', id);
  }

  @Post(':id/mandate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mandater : crée le mandat (Chorus Pro : MANDATEE, numeroDPMandat)' })
  mandate(@CurrentUser() me: Principal, @Param('id') id: string, @Body() body: MandateDto): Promise<TransitionOutcome> {
    return this.run(me, 'mandate', id, body);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rejeter avec un motif (Chorus Pro : REJETEE)' })
  reject(@CurrentUser() me: Principal, @Param('id') id: string, @Body() body: ReasonDto): Promise<TransitionOutcome> {
    return this.run(me, 'reject', id, body);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspendre (pièce manquante …) avec un motif (Chorus Pro : SUSPENDUE) ; le délai de paiement est suspendu' })
  suspend(@CurrentUser() me: Principal, @Param('id') id: string, @Body() body: ReasonDto): Promise<TransitionOutcome> {
    return this.run(me, 'suspend', id, body);
  }

  @Post(':id/recycle')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recycler : mauvais destinataire ou service (Chorus Pro : A_RECYCLER)' })
  recycle(@CurrentUser() me: Principal, @Param('id') id: string, @Body() body: RecycleDto): Promise<TransitionOutcome> {
    return this.run(me, 'recycle', id, body);
  }

  @Post(':id/cancel-rejection')
  @HttpCode(200)
  @ApiOperation({ summary: "Annuler le rejet, tant qu'il n'est pas parti vers Chorus Pro" })
  cancelRejection(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TransitionOutcome> {
    return this.run(me, 'cancel-rejection', id);
  }

  @Post(':id/end-suspension')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lever la suspension (le délai de paiement reprend)' })
  endSuspension(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TransitionOutcome> {
    return this.run(me, 'end-suspension', id);
  }

  @Post(':id/payment')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mise en paiement (trésorier ; Chorus Pro : MISE_EN_PAIEMENT)' })
  payment(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TransitionOutcome> {
    return this.run(me, 'payment', id);
  }

  private run(me: Principal, action: UserAction, id: string, body: object = {}): Promise<TransitionOutcome> {
    return this.actions.act(me, action, id, body);
  }
}

export class ReasonListQuery {
  @ApiPropertyOptional({ description: "SIRET d'une de vos structures (par défaut : votre structure si vous n'en avez qu'une, sinon la liste livrée)" })
  @IsOptional()
  @Matches(/^\d{14}$/, { message: 'SIRET (14 chiffres) attendu' })
  structure?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'y compris les motifs désactivés' }) @IsOptional() @IsIn(['true', 'false']) all?: string;
}

/**
 * Motifs per structure: the shipped list (config/reasons.json) is every structure's default; an admin changes the
 * motifs of their own structures only. `structure` (SIRET) says which; an admin of one structure may leave it out.
 */
@ApiTags('factures — traitement')
@ApiBearerAuth()
@Controller('api/reasons')
export class ReasonsController {
  constructor(
    private readonly reasons: ReasonsService,
    private readonly structures: StructuresService,
  ) {}

  @Get()
  @ApiOperation({ summary: "Motifs de rejet et de suspension d'une structure" })
  async list(@CurrentUser() me: Principal, @Query() q: ReasonListQuery): Promise<Reason[]> {
    const structureId = await this.structureOf(me, q.structure, false);
    return this.reasons.list(structureId, q.all === 'true');
  }

  @Post()
  @ApiOperation({ summary: "Ajoute ou modifie un motif d'une de vos structures (admin)" })
  async upsert(@CurrentUser() me: Principal, @Body() body: ReasonUpsertDto): Promise<Reason> {
    assertAdmin(me);
    return this.reasons.upsert((await this.structureOf(me, body.structure, true))!, { ...body, code: body.code ?? '' });
  }

  @Put(':code')
  @ApiOperation({ summary: "Modifie un motif d'une de vos structures, ou le désactive (admin)" })
  async update(@CurrentUser() me: Principal, @Param('code') code: string, @Body() body: ReasonUpsertDto): Promise<Reason> {
    assertAdmin(me);
    return this.reasons.upsert((await this.structureOf(me, body.structure, true))!, { ...body, code });
  }

  /** The caller's structure named by SIRET, or their only one; reading with several and none named: the default list. */
  private async structureOf(me: Principal, siret: string | undefined, required: boolean): Promise<string | null> {
    if (!siret) {
      if (me.structureIds.length === 1) return me.structureIds[0];
      if (!required) return null;
      throw new DomainError('STRUCTURE_REQUIRED', 'Précisez la structure (SIRET) dont vous changez les motifs : vous en avez plusieurs');
    }
    const structure = await this.structures.findEntityBySiret(siret);
    if (!structure) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    if (!me.structureIds.includes(structure.id)) {
      throw new ForbiddenError('STRUCTURE_FORBIDDEN', `La structure ${siret} ne fait pas partie de vos structures`);
    }
    return structure.id;
  }
}
