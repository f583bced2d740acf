import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { IsCalendarDate, IsListOf, IsStructureRef } from '@/common/http/validators';
import { INVOICE_STATUSES } from '@/invoices/invoice-state.machine';
import { Response } from 'express';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal, scopeOf } from '@/users/principal';
import { LIST_SORTS, LIST_TABS, ListSort, ListTab } from '@/invoices/invoices-query.repository';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { AttachmentKind, INLINE_TYPES } from '@/invoices/attachment-kind';

export class InvoiceListQuery {
  @ApiPropertyOptional({ description: 'Statut interne (ou plusieurs séparés par des virgules)', example: 'A_TRAITER' })
  @IsOptional() @IsListOf(INVOICE_STATUSES) status?: string;
  @ApiPropertyOptional({ description: 'SIRET ou identifiant de la structure' }) @IsOptional() @IsStructureRef() structure?: string;
  @ApiPropertyOptional({ description: 'Code service' }) @IsOptional() @IsString() service?: string;
  @ApiPropertyOptional({ description: 'Identifiant du fournisseur ou partie de sa raison sociale' }) @IsOptional() @IsString() supplier?: string;
  @ApiPropertyOptional({ description: 'Numéro de facture' }) @IsOptional() @IsString() number?: string;
  @ApiPropertyOptional({ description: 'Reçue à partir du (AAAA-MM-JJ)' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional({ description: "Reçue jusqu'au (AAAA-MM-JJ)" }) @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional({ description: 'Net à payer minimum' }) @IsOptional() @IsNumberString() amountMin?: string;
  @ApiPropertyOptional({ description: 'Net à payer maximum' }) @IsOptional() @IsNumberString() amountMax?: string;
  @ApiPropertyOptional({ description: "Code d'anomalie, ou * pour toute anomalie" }) @IsOptional() @IsString() anomaly?: string;
  @ApiPropertyOptional({ description: 'Échéance de paiement dans N jours au plus' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(3650) dueWithinDays?: number;
  @ApiPropertyOptional({ description: 'Identifiant du flux' }) @IsOptional() @IsUUID() flow?: string;
  @ApiPropertyOptional({ enum: Object.keys(LIST_TABS), description: "Liste d'« Intégration des flux » : à créer, déjà créées, en anomalie ou rejetées" })
  @IsOptional() @IsIn(Object.keys(LIST_TABS)) tab?: ListTab;
  @ApiPropertyOptional({ enum: Object.keys(LIST_SORTS), default: 'received_desc', description: 'Tri (réception, échéance, net à payer)' })
  @IsOptional() @IsIn(Object.keys(LIST_SORTS)) sort?: ListSort;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'Curseur de la page suivante (nextCursor)' }) @IsOptional() @IsString() cursor?: string;
  @ApiPropertyOptional({ enum: ['json'] }) @IsOptional() @IsIn(['json']) format?: string;
}

export class AttachmentQuery {
  @ApiPropertyOptional({ enum: ['1'], description: 'Téléchargement (Content-Disposition: attachment)' }) @IsOptional() @IsIn(['1']) download?: string;
}

@ApiTags('factures')
@Controller('api/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesQueryService) {}

  @Get()
  @ApiOperation({ summary: 'Factures reçues, filtrées, de la plus récente à la plus ancienne (pagination par curseur)' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  list(@CurrentUser() user: Principal, @Query() q: InvoiceListQuery) {
    return this.invoices.list(
      scopeOf(user),
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
        tab: q.tab,
      },
      q.limit ?? 50,
      q.cursor,
      q.sort,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Une facture : tous ses champs, lignes, TVA, pièces jointes, anomalies, historique' })
  get(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.invoices.get(scopeOf(user), id);
  }

  @Get(':id/history')
  @ApiOperation({ summary: "Étapes de la vie d'une facture (acteur, date, détails)" })
  history(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.invoices.history(scopeOf(user), id);
  }

  @Get(':id/attachments/:attachmentId')
  @ApiOperation({
    summary: 'Une pièce jointe (décompressée)',
    description:
      "Affichée dans le navigateur seulement si ses octets sont un PDF, un PNG, un JPEG ou du texte brut (jamais d'après le type déclaré) ; " +
      'tout le reste est téléchargé (application/octet-stream). `?download=1` : téléchargement dans tous les cas.',
  })
  async attachment(
    @CurrentUser() user: Principal,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Query() q: AttachmentQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const a = await this.invoices.attachment(scopeOf(user), id, attachmentId);
    for (const [name, value] of Object.entries(attachmentHeaders(a.kind, a.name, q.download === '1'))) res.setHeader(name, value);
    if (a.size !== null) res.setHeader('Content-Length', String(a.size));
    return new StreamableFile(a.stream);
  }
}

/**
 * Headers of an attachment: supplier content is hostile and must never run in the app's origin. Inline only for a
 * kind sniffed from the bytes, with that kind's type; always `nosniff` and a sandboxing CSP (no script, no plugin
 * reaching the origin, no sub-resource), framable by the app's own pages only (the invoice page shows the PDF).
 * Chromium still displays a PDF under `sandbox` (test/web/hostile-attachments.e2e-spec.ts checks it).
 */
export function attachmentHeaders(kind: AttachmentKind, fileName: string, download: boolean): Record<string, string> {
  const inline = kind !== 'other' && !download;
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return {
    'Content-Type': kind === 'other' ? 'application/octet-stream' : INLINE_TYPES[kind],
    'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'; frame-ancestors 'self'",
    'X-Frame-Options': 'SAMEORIGIN',
    'Cache-Control': 'private, no-cache',
  };
}
