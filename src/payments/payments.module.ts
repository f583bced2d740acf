import { Module } from '@nestjs/common';
import { DepensePesModule } from '@/pes/depense/depense-pes.module';
import { PaymentsController } from '@/payments/payments.controller';
import { PaymentsExplainService } from '@/payments/payments-explain.service';

/** « Virement reçu » (issue 14): payments from Hélios' retours explained against the invoices they settle. */
@Module({
  imports: [DepensePesModule],
  providers: [PaymentsExplainService],
  controllers: [PaymentsController],
  exports: [PaymentsExplainService],
})
export class PaymentsModule {}
