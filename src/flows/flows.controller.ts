import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { Response } from 'express';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal, scopeOf } from '@/users/principal';
import { AppConfig } from '@/config/app.config';
import { Clock } from '@/clock/clock.port';
import { IsCalendarDate } from '@/common/http/validators';
import { AnomalyReportService } from '@/flows/anomaly-report.service';
import { FlowStatus } from '@/flows/flow.entity';
import { FlowsService } from '@/flows/flows.service';
import { localDate } from '@/common/time/local-date';

const FLOW_STATUSES: FlowStatus[] = ['processing', 'integrated', 'partial', 'rejected'];

export class FlowListQuery {
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'Reçus avant cette date-heure (ISO 8601) : page suivante' }) @IsOptional() @IsISO8601({ strict: true }) before?: string;
  @ApiPropertyOptional({ description: 'SIRET d’une de vos structures' }) @IsOptional() @Matches(/^\d{14}$/) structure?: string;
  @ApiPropertyOptional({ enum: FLOW_STATUSES }) @IsOptional() @IsIn(FLOW_STATUSES) status?: FlowStatus;
}

export class AnomalyReportQuery {
  @ApiPropertyOptional({ description: "AAAA-MM-JJ, aujourd'hui par défaut" }) @IsOptional() @IsCalendarDate() date?: string;
}

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
  @ApiOperation({
    summary: 'Flux reçus (état, date, nom, source, structures), rejetés compris, du plus récent au plus ancien',
    description: "Un flux est visible des structures auxquelles il a été attribué à l'import ; un flux attribué à aucune, des administrateurs seulement.",
  })
  list(@CurrentUser() user: Principal, @Query() q: FlowListQuery) {
    return this.flows.list(scopeOf(user), q);
  }

  @Get('flows/:id')
  @ApiOperation({ summary: 'Un flux, son enveloppe, ses structures et ses factures illisibles' })
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
  anomalies(@CurrentUser() user: Principal, @Query() q: AnomalyReportQuery) {
    return this.reports.forDate(q.date ?? localDate(this.clock.now(), this.config.timezone), this.config.timezone, scopeOf(user));
  }
}
