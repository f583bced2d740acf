import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvoiceWorksService, InvoiceWorksView } from '@/invoices/invoice-works.service';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal, scopeOf } from '@/users/principal';

@ApiTags('invoices')
@Controller('api/invoices')
export class InvoiceWorksController {
  constructor(
    private readonly invoices: InvoicesQueryService,
    private readonly works: InvoiceWorksService,
  ) {}

  @Get(':id/works')
  @ApiOperation({ summary: 'Facture de travaux : statut côté travaux, MOE, MOA et étapes du cycle de validation' })
  async get(@CurrentUser() user: Principal, @Param('id') id: string): Promise<InvoiceWorksView> {
    return this.works.view(await this.invoices.findVisible(scopeOf(user), id));
  }
}
