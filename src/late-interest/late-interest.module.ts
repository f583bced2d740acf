import { Module } from '@nestjs/common';
import { InvoicesModule } from '@/invoices/invoices.module';
import { LateInterestController } from '@/late-interest/late-interest.controller';
import { LateInterestService } from '@/late-interest/late-interest.service';
import { LateInterestRatesRepository } from '@/late-interest/late-interest-rates.repository';
import { LateInterestRatesService } from '@/late-interest/late-interest-rates.service';
import { StructuresModule } from '@/structures/structures.module';

/** Intérêts moratoires (issue 14): after the invoices, from their payments (InvoicePaymentsService). */
@Module({
  imports: [InvoicesModule, StructuresModule],
  providers: [LateInterestRatesRepository, LateInterestRatesService, LateInterestService],
  controllers: [LateInterestController],
  exports: [LateInterestService, LateInterestRatesService],
})
export class LateInterestModule {}
