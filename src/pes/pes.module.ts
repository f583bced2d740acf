import { Module } from '@nestjs/common';
import { SequenceService } from '@/common/sequences/sequence.service';
import { DirectoryModule } from '@/directory/directory.module';
import { StructuresModule } from '@/structures/structures.module';
import { PesAccessService } from '@/pes/pes-access.service';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesAsapRetourService } from '@/pes/pes-asap-retour.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesController } from '@/pes/pes.controller';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitresImportService } from '@/pes/titres-import.service';
import { TitresController } from '@/pes/titres.controller';
import { TitresService } from '@/pes/titres.service';
import { TitresRepository } from '@/pes/titres.repository';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { PesBordereauFilesService } from '@/pes/pes-bordereau-files.service';

/** Titres de recettes, budget settings, PES ASAP flows for Hélios, acquittements. */
@Module({
  imports: [DirectoryModule, StructuresModule],
  providers: [SequenceService, TitresRepository, BordereauxRepository, PesAccessService, PesBudgetsService, TitresService, TitresImportService, PesGenerateService, PesAcquitService, PesAsapRetourService, PesBordereauFilesService],
  controllers: [TitresController, PesController],
  // PesBordereauFilesService + BordereauxRepository: for the dépense bordereaux (PES_DepenseAller) built on the same files.
  exports: [PesBudgetsService, TitresService, PesGenerateService, PesBordereauFilesService, BordereauxRepository, PesAcquitService],
})
export class PesModule {}
