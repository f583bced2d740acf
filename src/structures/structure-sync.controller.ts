import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { assertMember } from '@/structures/structures.controller';
import { StructureHistoryView, StructureSyncReport, StructureSyncService } from '@/structures/structure-sync.service';
import { StructuresService } from '@/structures/structures.service';
import { CurrentUser } from '@/users/auth.decorators';
import { assertAdmin, Principal } from '@/users/principal';

@ApiTags('structures')
@Controller('api/structures')
export class StructureSyncController {
  constructor(
    private readonly structures: StructuresService,
    private readonly sync: StructureSyncService,
  ) {}

  @Get(':siret/history')
  @ApiOperation({ summary: 'Historique du paramétrage de la structure (changements lus dans Chorus Pro), le plus récent d’abord' })
  async history(@CurrentUser() user: Principal, @Param('siret') siret: string): Promise<StructureHistoryView[]> {
    assertMember(user, await this.structures.get(siret));
    return this.sync.recentHistory(siret);
  }

  @Post(':siret/sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Relit maintenant services et paramètres de la structure dans Chorus Pro (administrateur)' })
  async syncNow(@CurrentUser() user: Principal, @Param('siret') siret: string): Promise<StructureSyncReport> {
    assertAdmin(user);
    assertMember(user, await this.structures.get(siret));
    return this.sync.sync(siret);
  }
}
