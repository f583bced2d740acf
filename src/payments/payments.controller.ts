import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@/common/errors/domain.error';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';
import { ExplainResult, PaymentsExplainService } from '@/payments/payments-explain.service';

/** « Virement reçu »: a supplier's transfer explained, within the user's structures only. */
@ApiTags('payments')
@Controller('api/payments')
export class PaymentsController {
  constructor(private readonly explainer: PaymentsExplainService) {}

  @Get('explain')
  @ApiOperation({ summary: 'Virement reçu : la ou les factures réglées et l’écart avec le net à payer expliqué ligne à ligne' })
  @ApiQuery({ name: 'montant', example: '1234,56' })
  @ApiQuery({ name: 'date', example: '2026-11-20' })
  @ApiQuery({ name: 'fournisseur', required: false, description: 'SIRET du fournisseur' })
  @ApiQuery({ name: 'jours', required: false, description: 'écart de dates admis, ± jours (5 par défaut)' })
  explain(
    @CurrentUser() user: Principal,
    @Query('montant') montant: string,
    @Query('date') date: string,
    @Query('fournisseur') fournisseur?: string,
    @Query('jours') jours?: string,
  ): Promise<ExplainResult> {
    if (jours !== undefined && !/^\d{1,2}$/.test(jours)) throw new DomainError('PAYMENT_WINDOW_INVALID', 'Écart de dates : de 0 à 31 jours');
    return this.explainer.explain(user.structureIds, { amount: String(montant ?? ''), date: String(date ?? ''), supplier: fournisseur, days: jours === undefined ? undefined : Number(jours) });
  }
}
