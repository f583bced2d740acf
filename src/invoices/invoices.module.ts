import { Module } from '@nestjs/common';
import { InvoicesController } from '@/invoices/invoices.controller';
import { InvoicesQueryRepository } from '@/invoices/invoices-query.repository';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';

@Module({
  providers: [InvoicesQueryRepository, InvoicesQueryService],
  controllers: [InvoicesController],
  exports: [InvoicesQueryService],
})
export class InvoicesModule {}
