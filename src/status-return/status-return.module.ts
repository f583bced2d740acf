import { Module } from '@nestjs/common';
import { ChorusProModule } from '@/chorus-pro/chorus-pro.module';
import { InvoicesModule } from '@/invoices/invoices.module';
import { StructuresModule } from '@/structures/structures.module';
import { CppStatutSchema } from '@/status-return/cpp-statut.schema';
import { StatusFlowImportService } from '@/status-return/status-flow-import.service';
import { StatusFlowWriterService } from '@/status-return/status-flow-writer.service';
import { StatusFlowsRepository } from '@/status-return/status-flows.repository';
import { StatusOutboxRepository } from '@/status-return/status-outbox.repository';
import { StatusOutboxService } from '@/status-return/status-outbox.service';
import { StatusPushService } from '@/status-return/status-push.service';
import { StatusOutboxController, StatusFlowsController } from '@/status-return/status-return.controller';

/** Statuses back to Chorus Pro (issue 5): outbox, API sender, CPPStatut writer and reader, flows registry. */
@Module({
  imports: [ChorusProModule, StructuresModule, InvoicesModule],
  providers: [
    StatusOutboxRepository,
    StatusFlowsRepository,
    CppStatutSchema,
    StatusFlowWriterService,
    StatusFlowImportService,
    StatusPushService,
    StatusOutboxService,
  ],
  controllers: [StatusFlowsController, StatusOutboxController],
  exports: [StatusPushService, StatusFlowWriterService, StatusFlowImportService, StatusOutboxService],
})
export class StatusReturnModule {}
