import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { FileStore } from '@/storage/file-store.port';
import { CurrentUser } from '@/users/auth.decorators';
import { inScope, Principal, scopeOf } from '@/users/principal';
import { GenerateResult, StatusFlowWriterService } from '@/status-return/status-flow-writer.service';
import { StatusFlowsRepository, StatusFlowView } from '@/status-return/status-flows.repository';
import { OutboxView } from '@/status-return/status-outbox.repository';
import { StatusOutboxService } from '@/status-return/status-outbox.service';
import { PushSummary, StatusPushService } from '@/status-return/status-push.service';

class GenerateStatusFlowDto {
  @ApiPropertyOptional({ example: 'REJETEE', description: 'Un seul statut (nom Chorus Pro ou IdStatut)' })
  @IsOptional()
  @IsString()
  status?: string;

  @ApiPropertyOptional({ description: 'Une seule facture (id ou numéro)' })
  @IsOptional()
  @IsString()
  invoice?: string;

  @ApiPropertyOptional({ description: 'Une seule structure (SIRET)' })
  @IsOptional()
  @IsString()
  siret?: string;

  @ApiPropertyOptional({ description: 'Plusieurs fichiers réunis dans une archive ZIP' })
  @IsOptional()
  @IsBoolean()
  zip?: boolean;
}

class ListQuery {
  @ApiPropertyOptional({ enum: ['out', 'in'] }) @IsOptional() @IsIn(['out', 'in']) direction?: 'out' | 'in';
  @ApiPropertyOptional() @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(1000) limit?: number;
}

class OutboxQuery {
  @ApiPropertyOptional({ enum: ['pending', 'sending', 'sent', 'failed', 'cancelled'] })
  @IsOptional()
  @IsIn(['pending', 'sending', 'sent', 'failed', 'cancelled'])
  state?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() invoiceId?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(1000) limit?: number;
}

function assertStaff(user: Principal): void {
  if (user.role !== 'agent' && user.role !== 'admin') {
    throw new ForbiddenError('ROLE_NOT_ALLOWED', `Votre rôle (${user.role}) ne permet pas de transmettre des statuts à Chorus Pro`);
  }
}

/** CPPStatut files: generation (« fichier de transfert des statuts »), registry, download. */
@ApiTags('status-return')
@ApiBearerAuth()
@Controller('api/status-flows')
export class StatusFlowsController {
  constructor(
    private readonly writer: StatusFlowWriterService,
    private readonly flows: StatusFlowsRepository,
    private readonly store: FileStore,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Génère le fichier de transfert des statuts (CPPStatut) des structures en mode fichier' })
  async generate(@CurrentUser() user: Principal, @Body() body: GenerateStatusFlowDto): Promise<Omit<GenerateResult, 'files'> & { files: string[] }> {
    assertStaff(user);
    const result = await this.writer.generate({
      outDir: this.writer.defaultOutDir,
      status: body.status,
      invoice: body.invoice,
      siret: body.siret,
      zip: body.zip,
      actor: user.email,
      scope: scopeOf(user),
    });
    // Server paths are not shown: files are downloaded by flow id.
    return { ...result, files: result.files.map((f) => f.split(/[\\/]/).pop() ?? f) };
  }

  @Get()
  @ApiOperation({ summary: 'Fichiers CPPStatut générés (out) et importés (in), avec ce que chacun portait' })
  list(@CurrentUser() user: Principal, @Query() query: ListQuery): Promise<StatusFlowView[]> {
    const scope = scopeOf(user);
    return this.flows.list({ direction: query.direction, structureIds: scope.structureIds, includeUnassigned: scope.includeUnassigned, limit: query.limit ?? 100 });
  }

  @Get(':id')
  @ApiOperation({ summary: "Un fichier CPPStatut et les statuts qu'il portait" })
  async get(@CurrentUser() user: Principal, @Param('id') id: string) {
    const flow = await this.visible(user, id);
    return { ...flow, statuses: flow.direction === 'out' ? await this.flows.carried(id) : [] };
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'Télécharge le fichier CPPStatut' })
  async download(@CurrentUser() user: Principal, @Param('id') id: string): Promise<StreamableFile> {
    const flow = await this.visible(user, id);
    if (!flow.storageKey) throw new NotFoundError('STATUS_FLOW_FILE_MISSING', 'Fichier non conservé');
    return new StreamableFile(await this.store.openRead(flow.storageKey), {
      type: 'application/xml',
      disposition: `attachment; filename="${flow.fileName.replace(/"/g, '')}"`,
      length: flow.size,
    });
  }

  private async visible(user: Principal, id: string): Promise<StatusFlowView> {
    const flow = await this.flows.findById(id);
    if (!flow || !inScope(scopeOf(user), flow.structureId)) throw new NotFoundError('STATUS_FLOW_NOT_FOUND', `Fichier de statuts introuvable : ${id}`);
    return flow;
  }
}

/** The outbox as the staff see it: statuses owed to Chorus Pro, those in error; sending now. */
@ApiTags('status-return')
@ApiBearerAuth()
@Controller('api/status-outbox')
export class StatusOutboxController {
  constructor(
    private readonly outbox: StatusOutboxService,
    private readonly push: StatusPushService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Statuts à transmettre à Chorus Pro (filtre : état, facture)' })
  list(@CurrentUser() user: Principal, @Query() query: OutboxQuery): Promise<OutboxView[]> {
    return this.outbox.list(scopeOf(user), query);
  }

  @Post('push')
  @HttpCode(200)
  @ApiOperation({ summary: 'Envoie maintenant les statuts des structures en mode api' })
  pushNow(@CurrentUser() user: Principal): Promise<PushSummary> {
    assertStaff(user);
    return this.push.push();
  }

  @Post(':id/retry')
  @HttpCode(204)
  @ApiOperation({ summary: 'Renvoie un statut en erreur' })
  async retry(@CurrentUser() user: Principal, @Param('id', ParseIntPipe) id: number): Promise<void> {
    assertStaff(user);
    await this.outbox.retry(id, scopeOf(user), user.email);
  }

  @Post(':id/abandon')
  @HttpCode(204)
  @ApiOperation({ summary: 'Abandonne un statut en erreur (saisi à la main sur le portail)' })
  async abandon(@CurrentUser() user: Principal, @Param('id', ParseIntPipe) id: number): Promise<void> {
    assertStaff(user);
    await this.outbox.abandon(id, scopeOf(user), user.email);
  }
}
