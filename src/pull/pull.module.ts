import { Module } from '@nestjs/common';
import { ChorusProModule } from '@/chorus-pro/chorus-pro.module';
import { IngestionModule } from '@/ingestion/ingestion.module';
import { InvoicesModule } from '@/invoices/invoices.module';
import { PullLeaseRepository } from '@/pull/pull-lease.repository';
import { PullStatusRecorder } from '@/pull/pull-status.recorder';
import { PullController } from '@/pull/pull.controller';
import { PullMetrics } from '@/pull/pull.metrics';
import { PullService } from '@/pull/pull.service';
import { StructurePuller } from '@/pull/structure-puller';
import { StructuresModule } from '@/structures/structures.module';
import { RecipientInvoiceSearch } from '@/pull/recipient-search';
import { WorksInvoiceSearch } from '@/pull/works-search';

/** Nightly pull of received invoices from the Chorus Pro API (« mode service »). */
@Module({
  imports: [ChorusProModule, IngestionModule, InvoicesModule, StructuresModule],
  providers: [PullLeaseRepository, PullStatusRecorder, StructurePuller, PullService, WorksInvoiceSearch, RecipientInvoiceSearch, PullMetrics],
  controllers: [PullController],
  exports: [PullService, ChorusProModule],
})
export class PullModule {}
