import { Module } from '@nestjs/common';
import { IngestionService } from '@/ingestion/ingestion.service';
import { StructuresModule } from '@/structures/structures.module';

@Module({
  imports: [StructuresModule],
  providers: [IngestionService],
  exports: [IngestionService],
})
export class IngestionModule {}
