import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Request } from 'express';
import { DomainError, ForbiddenError } from '@/common/errors/domain.error';
import { FlowUploadService, MAX_UPLOAD_FILES, UploadFileResult } from '@/ingestion/flow-upload.service';
import { StructuresService } from '@/structures/structures.service';
import { AcceptsUpload, CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';

/**
 * « Intégration des flux », « Fichier… / Lecture » (mode portail): the pivot files a commune downloaded from Chorus Pro.
 * A multipart body (the only non-JSON state change of the API): @AcceptsUpload() lets it past the JSON-only rule,
 * the Origin check against cross-site requests still applies.
 */
@ApiTags('flux')
@Controller('api/flows')
export class FlowUploadController {
  constructor(
    private readonly uploads: FlowUploadService,
    private readonly structures: StructuresService,
  ) {}

  @Post('upload')
  @AcceptsUpload(['multipart/form-data'])
  @HttpCode(200)
  @ApiOperation({ summary: `Téléverse et importe des flux pivot (XML ou ZIP, ${MAX_UPLOAD_FILES} fichiers au plus) : résultat par fichier` })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } } } })
  @ApiQuery({ name: 'structure', required: false, description: 'SIRET de la collectivité en cours (obligatoire si vous en avez plusieurs)' })
  @ApiOkResponse({ description: '{ files: [{ fileName, size, outcome, flows, invoices, errors }] }' })
  async upload(@CurrentUser() user: Principal, @Req() req: Request, @Query('structure') structure?: string): Promise<{ files: UploadFileResult[] }> {
    if (user.role === 'tresorier') {
      throw new ForbiddenError('UPLOAD_ORDONNATEUR_ONLY', "Les flux de factures sont intégrés par l'ordonnateur (rôle agent ou admin)");
    }
    const siret = await this.currentStructure(user, structure);
    return { files: await this.uploads.upload(req, req.headers, [siret]) };
  }

  /** SIRET of the uploader's current structure: the uploaded flows are attributed to it (flow visibility rule). */
  private async currentStructure(user: Principal, siret: string | undefined): Promise<string> {
    if (!siret) {
      const mine = (await this.structures.list()).filter((s) => user.structureIds.includes(s.id));
      if (mine.length === 1) return mine[0].siret;
      throw new DomainError('STRUCTURE_REQUIRED', 'Choisissez la collectivité en cours : le flux lui sera rattaché');
    }
    const found = await this.structures.findEntityBySiret(siret.replace(/\s/g, ''));
    if (!found || !user.structureIds.includes(found.id)) {
      throw new ForbiddenError('STRUCTURE_FORBIDDEN', `La structure ${siret} ne fait pas partie de vos structures`);
    }
    return found.siret;
  }
}
