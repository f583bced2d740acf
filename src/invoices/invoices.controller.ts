import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Request, Response } from 'express';
import { requestScope } from '@/common/http/request-scope';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class InvoiceListQuery {
  @ApiPropertyOptional({ description: 'Statut interne (ou plusieurs séparés par des virgules)', example: 'A_TRAITER' })
  @IsOptional() @IsString() status?: string;
  @ApiPropertyOptional({ description: 'SIRET ou identifiant de la structure' }) @IsOptional() @IsString() structure?: string;
  @ApiPropertyOptional({ description: 'Code service' }) @IsOptional() @IsString() service?: string;
  @ApiPropertyOptional({ description: 'Identifiant du fournisseur ou partie de sa raison sociale' }) @IsOptional() @IsString() supplier?: string;
  @ApiPropertyOptional({ description: 'Numéro de facture' }) @IsOptional() @IsString() number?: string;
  @ApiPropertyOptional({ description: 'Reçue à partir du (AAAA-MM-JJ)' }) @IsOptional() @Matches(DATE) from?: string;
  @ApiPropertyOptional({ description: "Reçue jusqu'au (AAAA-MM-JJ)" }) @IsOptional() @Matches(DATE) to?: string;
  @ApiPropertyOptional({ description: 'Net à payer minimum' }) @IsOptional() @IsNumberString() amountMin?: string;
  @ApiPropertyOptional({ description: 'Net à payer maximum' }) @IsOptional() @IsNumberString() amountMax?: string;
  @ApiPropertyOptional({ description: "Code d'anomalie, ou * pour toute anomalie" }) @IsOptional() @IsString() anomaly?: string;
  @ApiPropertyOptional({ description: 'Échéance de paiement dans N jours au plus' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(3650) dueWithinDays?: number;
  @ApiPropertyOptional({ description: 'Identifiant du flux' }) @IsOptional() @IsString() flow?: string;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'Curseur de la page suivante (nextCursor)' }) @IsOptional() @IsString() cursor?: string;
  @ApiPropertyOptional({ enum: ['json'] }) @IsOptional() @IsIn(['json']) format?: string;
}

@ApiTags('factures')
@Controller('api/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesQueryService) {}

  @Get()
  @ApiOperation({ summary: 'Factures reçues, filtrées, de la plus récente à la plus ancienne (pagination par curseur)' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  list(@Req() req: Request, @Query() q: InvoiceListQuery) {
    return this.invoices.list(
      requestScope(req),
      {
        status: q.status?.split(',').map((s) => s.trim()).filter(Boolean),
        structure: q.structure,
        serviceCode: q.service,
        supplier: q.supplier,
        number: q.number,
        receivedFrom: q.from,
        receivedTo: q.to,
        amountMin: q.amountMin,
        amountMax: q.amountMax,
        anomaly: q.anomaly,
        dueWithinDays: q.dueWithinDays,
        flowId: q.flow,
      },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Une facture : tous ses champs, lignes, TVA, pièces jointes, anomalies, historique' })
  get(@Req() req: Request, @Param('id') id: string) {
    return this.invoices.get(requestScope(req), id);
  }

  @Get(':id/history')
  @ApiOperation({ summary: "Étapes de la vie d'une facture (acteur, date, détails)" })
  history(@Req() req: Request, @Param('id') id: string) {
    return this.invoices.history(requestScope(req), id);
  }

  @Get(':id/attachments/:attachmentId')
  @ApiOperation({ summary: 'Télécharge une pièce jointe (décompressée), avec son type de contenu' })
  async attachment(
    @Req() req: Request,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Query('download') download: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const a = await this.invoices.attachment(requestScope(req), id, attachmentId);
    const disposition = download === '1' ? 'attachment' : 'inline';
    res.setHeader('Content-Type', a.mimeType);
    res.setHeader('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(a.name)}`);
    if (a.size !== null) res.setHeader('Content-Length', String(a.size));
    return new StreamableFile(a.stream);
  }
}
