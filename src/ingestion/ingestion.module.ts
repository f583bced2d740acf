import { Module } from '@nestjs/common';
import { FlowBatchImportService } from '@/ingestion/flow-batch-import.service';
import { FlowImportService } from '@/ingestion/flow-import.service';
import { FlowUploadController } from '@/ingestion/flow-upload.controller';
import { FlowUploadService } from '@/ingestion/flow-upload.service';
import { FlowReaderService } from '@/ingestion/flow-reader.service';
import { InboxService } from '@/ingestion/inbox.service';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { IngestionService } from '@/ingestion/ingestion.service';
import { InvoiceBatchWriter } from '@/ingestion/invoice-batch.writer';
import { StoreGcService } from '@/ingestion/store-gc.service';
import { InvoicesModule } from '@/invoices/invoices.module';
import { StructuresModule } from '@/structures/structures.module';

@Module({
  imports: [StructuresModule, InvoicesModule],
  providers: [IngestionRepository, InvoiceBatchWriter, FlowReaderService, FlowImportService, FlowBatchImportService, IngestionService, InboxService, FlowUploadService, StoreGcService],
  controllers: [FlowUploadController],
  exports: [IngestionService, InboxService, StoreGcService],
})
export class IngestionModule {}
