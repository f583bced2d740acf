import { Module } from '@nestjs/common';
import { InvoicesController } from '@/invoices/invoices.controller';
import { InvoicesQueryRepository } from '@/invoices/invoices-query.repository';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { SequenceService } from '@/common/sequences/sequence.service';
import { InvoiceActionsController, ReasonsController } from '@/invoices/invoice-actions.controller';
import { InvoiceActionsService } from '@/invoices/invoice-actions.service';
import { InvoiceTransitionService } from '@/invoices/invoice-transition.service';
import { InvoiceTransitionsRepository } from '@/invoices/invoice-transitions.repository';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { InvoiceWorkflowService } from '@/invoices/invoice-workflow.service';
import { InvoicePaymentsRepository } from '@/invoices/invoice-payments.repository';
import { InvoicePaymentsService } from '@/invoices/invoice-payments.service';
import { InvoiceWorksController } from '@/invoices/invoice-works.controller';
import { InvoiceWorksService } from '@/invoices/invoice-works.service';
import { MandateExportService } from '@/invoices/mandate-export.service';
import { MandatesService } from '@/invoices/mandates.service';
import { ReasonsService } from '@/invoices/reasons.service';
import { StructuresModule } from '@/structures/structures.module';

@Module({
  imports: [StructuresModule],
  providers: [
    InvoicesQueryRepository,
    InvoicesQueryService,
    // Workflow (issue 4): state machine, actions, mandates, motifs.
    SequenceService,
    ReasonsService,
    MandatesService,
    MandateExportService,
    InvoiceTransitionsRepository,
    InvoiceTransitionService,
    InvoiceActionsService,
    { provide: InvoiceWorkflowPort, useClass: InvoiceWorkflowService },
    // Payments read by the intérêts moratoires (src/late-interest).
    InvoicePaymentsRepository,
    InvoicePaymentsService,
    InvoiceWorksService,
  ],
  controllers: [InvoicesController, InvoiceActionsController, ReasonsController, InvoiceWorksController],
  exports: [InvoicesQueryService, InvoiceWorkflowPort, InvoiceActionsService, ReasonsService, InvoicePaymentsService, InvoiceWorksService, MandateExportService],
})
export class InvoicesModule {}
