import { Module } from '@nestjs/common';
import { InvoicesModule } from '@/invoices/invoices.module';
import { LateInterestModule } from '@/late-interest/late-interest.module';
import { PesAccessService } from '@/pes/pes-access.service';
import { PesModule } from '@/pes/pes.module';
import { StructuresModule } from '@/structures/structures.module';
import { DepenseBordereauService } from '@/pes/depense/depense-bordereau.service';
import { DepenseMandatsRepository } from '@/pes/depense/depense-mandats.repository';
import { DepensePaymentsService } from '@/pes/depense/depense-payments.service';
import { DepensePesController } from '@/pes/depense/depense-pes.controller';
import { DepenseRetourService } from '@/pes/depense/depense-retour.service';
import { DepenseStatesService } from '@/pes/depense/depense-states.service';

/**
 * Dépense side of Hélios (issue 14): mandats leave in PES_DepenseAller bordereaux (on the PES files of PesModule),
 * acquits and PES_DepenseRetour come back. Data walks invoices → pes: mandates are read through MandateExportService,
 * payments go back through InvoiceWorkflowPort.
 */
@Module({
  imports: [InvoicesModule, LateInterestModule, PesModule, StructuresModule],
  providers: [DepenseMandatsRepository, DepensePaymentsService, DepenseStatesService, DepenseBordereauService, DepenseRetourService, PesAccessService],
  controllers: [DepensePesController],
  exports: [DepensePaymentsService, DepenseBordereauService],
})
export class DepensePesModule {}
