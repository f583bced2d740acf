import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';
import { PesAccessService } from '@/pes/pes-access.service';
import { CreateTitreDto, TitreDto } from '@/pes/pes.dto';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { TitresService, TitreView } from '@/pes/titres.service';

@ApiTags('titres')
@Controller('api/titres')
export class TitresController {
  constructor(
    private readonly titres: TitresService,
    private readonly budgets: PesBudgetsService,
    private readonly access: PesAccessService,
  ) {}

  private async guard(user: Principal, budgetCode: string, action: 'read' | 'write'): Promise<void> {
    await this.access.assertBudget(user, await this.budgets.getEntity(budgetCode), action);
  }

  @Post()
  @ApiOperation({ summary: 'Enregistre un titre de recette (numéro attribué sans trou, par budget et exercice)' })
  async create(@CurrentUser() user: Principal, @Body() body: CreateTitreDto): Promise<TitreView> {
    const { budget, ...titre } = body;
    await this.guard(user, budget, 'write');
    return this.titres.create(budget, titre);
  }

  @Get()
  @ApiQuery({ name: 'budget', required: true })
  @ApiQuery({ name: 'status', required: false, enum: ['EN_ATTENTE', 'EMIS'] })
  @ApiQuery({ name: 'year', required: false })
  async list(@CurrentUser() user: Principal, @Query('budget') budget: string, @Query('status') status?: string, @Query('year') year?: string): Promise<TitreView[]> {
    await this.guard(user, budget, 'read');
    return this.titres.list(budget, { status, year: year ? Number(year) : undefined });
  }

  @Get(':id')
  async get(@CurrentUser() user: Principal, @Param('id') id: string): Promise<TitreView> {
    const titre = await this.titres.get(id);
    await this.guard(user, titre.budget, 'read');
    return titre;
  }

  @Put(':id')
  @ApiOperation({ summary: "Modifie un titre tant qu'il n'est pas dans un bordereau généré" })
  async update(@CurrentUser() user: Principal, @Param('id') id: string, @Body() body: TitreDto): Promise<TitreView> {
    await this.guard(user, (await this.titres.get(id)).budget, 'write');
    return this.titres.update(id, body);
  }
}

