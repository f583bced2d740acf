import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DirectoryService } from '@/directory/directory.service';
import { DirectoryStructureView } from '@/directory/directory.types';

@ApiTags('annuaire')
@Controller('api/annuaire')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get(':siret')
  @ApiOperation({ summary: "Structure publique de l'annuaire Chorus Pro (paramètres et services)" })
  get(@Param('siret') siret: string): Promise<DirectoryStructureView> {
    return this.directory.get(siret);
  }
}
