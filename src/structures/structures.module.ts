import { Module } from '@nestjs/common';
import { ChorusProModule } from '@/chorus-pro/chorus-pro.module';
import { StructureHistoryRepository } from '@/structures/structure-history.repository';
import { StructureSyncController } from '@/structures/structure-sync.controller';
import { StructureSyncService } from '@/structures/structure-sync.service';
import { StructuresController } from '@/structures/structures.controller';
import { StructuresRepository } from '@/structures/structures.repository';
import { StructuresService } from '@/structures/structures.service';

@Module({
  // Chorus Pro: the settings are read from it (structure-sync.service.ts).
  imports: [ChorusProModule],
  providers: [StructuresRepository, StructuresService, StructureHistoryRepository, StructureSyncService],
  controllers: [StructuresController, StructureSyncController],
  exports: [StructuresService, StructuresRepository, StructureSyncService],
})
export class StructuresModule {}
