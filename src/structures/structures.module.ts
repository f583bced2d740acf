import { Module } from '@nestjs/common';
import { StructuresController } from '@/structures/structures.controller';
import { StructuresRepository } from '@/structures/structures.repository';
import { StructuresService } from '@/structures/structures.service';

@Module({
  providers: [StructuresRepository, StructuresService],
  controllers: [StructuresController],
  exports: [StructuresService, StructuresRepository],
})
export class StructuresModule {}
