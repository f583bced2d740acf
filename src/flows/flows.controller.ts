import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal, scopeOf } from '@/users/principal';
import { AppConfig } from '@/config/app.config';
import { Clock } from '@/clock/clock.port';
import { AnomalyReportService } from '@/flows/anomaly-report.service';
import { FlowsService } from '@/flows/flows.service';
import { localDate } from '@/invoices/payment-deadline';

@ApiTags('flux')
@Controller('api')
export class FlowsController {
  constructor(
    private readonly flows: FlowsService,
    private readonly reports: AnomalyReportService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Get('flows')
  @ApiOperation({ summary: 'Flux reçus (état, date, nom, source), du plus récent au plus ancien' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'before', required: false, description: 'Reçus avant cette date-heure (ISO 8601)' })
  list(@CurrentUser() user: Principal, @Query('limit') limit?: string, @Query('before') before?: string) {
    return this.flows.list(scopeOf(user), limit ? Number(limit) : 50, before);
  }

  @Get('flows/:id')
  @ApiOperation({ summary: 'Un flux, son enveloppe et ses factures illisibles' })
  get(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.flows.get(scopeOf(user), id);
  }

  @Get('flows/:id/raw')
  @ApiOperation({ summary: 'Le fichier reçu tel quel (rejeté ou non), en téléchargement' })
  async raw(@CurrentUser() user: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const raw = await this.flows.openRaw(scopeOf(user), id);
    // Supplier bytes: always a download, never rendered in the app's origin.
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(raw.fileName)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Length', String(raw.size));
    return new StreamableFile(raw.stream);
  }

  @Get('reports/anomalies')
  @ApiOperation({ summary: "Rapport quotidien d'anomalies par structure (flux, facture, date, motif)" })
  @ApiQuery({ name: 'date', required: false, description: "AAAA-MM-JJ, aujourd'hui par défaut" })
  anomalies(@CurrentUser() user: Principal, @Query('date') date?: string) {
    const scope = scopeOf(user);
    return this.reports.forDate(date ?? localDate(this.clock.now(), this.config.timezone), this.config.timezone, scope.structureIds);
  }
}
