import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsStructureRef } from '@/common/http/validators';
import { InvoiceLateInterest, LateInterestList, LateInterestService } from '@/late-interest/late-interest.service';
import { LateInterestRatesService, RateView } from '@/late-interest/late-interest-rates.service';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal, scopeOf } from '@/users/principal';

class LateInterestQuery {
  @ApiPropertyOptional({ description: 'SIRET de la structure (toutes vos structures sinon)' }) @IsOptional() @IsStructureRef() structure?: string;
}

class RateDto {
  @ApiProperty({ description: 'taux des opérations principales de refinancement de la BCE en vigueur le premier jour du semestre, en %', example: '2.15' })
  @IsString()
  @MaxLength(20)
  ecbRate: string;
  @ApiProperty({ description: 'source du taux (décision de la BCE, publication de la Banque de France…)' }) @IsString() @MaxLength(500) source: string;
}

@ApiTags('intérêts moratoires')
@Controller('api/late-interest')
export class LateInterestController {
  constructor(
    private readonly lateInterest: LateInterestService,
    private readonly rates: LateInterestRatesService,
  ) {}

  @Get()
  @ApiOperation({ summary: '« Intérêts moratoires à mandater » : factures payées après leur échéance, avec le calcul (base, jours, taux, intérêts, indemnité)' })
  list(@CurrentUser() user: Principal, @Query() q: LateInterestQuery): Promise<LateInterestList> {
    return this.lateInterest.list(scopeOf(user), q.structure);
  }

  @Get('rates')
  @ApiOperation({ summary: 'Taux de la BCE par semestre (R2192-31 : taux des intérêts moratoires = ce taux + 8 points), avec leur source' })
  listRates(): Promise<RateView[]> {
    return this.rates.list();
  }

  @Put('rates/:halfYear')
  @ApiOperation({ summary: "Saisit ou corrige le taux d'un semestre commencé (AAAA-01-01, AAAA-07-01, AAAA-S1, AAAA-S2) (administrateur)" })
  setRate(@CurrentUser() user: Principal, @Param('halfYear') halfYear: string, @Body() body: RateDto): Promise<RateView> {
    return this.rates.set(user, halfYear, body.ecbRate, body.source);
  }

  @Get('invoices/:id')
  @ApiOperation({ summary: "Intérêts moratoires d'une facture (page de la facture)" })
  forInvoice(@CurrentUser() user: Principal, @Param('id') id: string): Promise<InvoiceLateInterest> {
    return this.lateInterest.forInvoice(scopeOf(user), id);
  }
}
