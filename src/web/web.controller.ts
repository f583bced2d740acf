import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { NotFoundError } from '@/common/errors/domain.error';
import { ANOMALY_LABELS } from '@/ingestion/invoice.checks';
import { INVOICE_STATUSES, STATUS_LABELS, TRANSITIONS, USER_ACTIONS } from '@/invoices/invoice-state.machine';
import { TRAINS } from '@/invoices/mandates.service';
import { MAX_REASON_LENGTH } from '@/invoices/reasons.service';
import { Public } from '@/users/auth.decorators';
import { AssetStore } from '@/web/web-assets';

// The pages are public HTML shells: every piece of data comes from the API, with the session cookie, and
// the server decides who may see or do what. Their security headers (CSP: own scripts only; never framed) are set for
// every answer by helmet (src/common/http/http-security.ts).
@ApiTags('pages')
@Controller()
export class WebController {
  private readonly assets = new AssetStore();

  @Public()
  @Get()
  @ApiExcludeEndpoint()
  index(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send('index.html', req, res);
  }

  @Public()
  @Get('assets/:file')
  @ApiExcludeEndpoint()
  asset(@Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(file, req, res);
  }

  @Public()
  @Get('assets/:dir/:file')
  @ApiExcludeEndpoint()
  nested(@Param('dir') dir: string, @Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(`${dir}/${file}`, req, res);
  }

  @Public()
  @Get('assets/:dir/:sub/:file')
  @ApiExcludeEndpoint()
  deeper(
    @Param('dir') dir: string,
    @Param('sub') sub: string,
    @Param('file') file: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.send(`${dir}/${sub}/${file}`, req, res);
  }

  /**
   * What the pages need to show only the buttons a role may use: the state machine's own table (the
   * server still decides every action), the status and anomaly labels, the motif budget and the
   * trains.
   */
  @Get('api/web/meta')
  @Header('Cache-Control', 'private, max-age=300')
  @ApiOperation({ summary: 'Libellés des statuts et actions possibles par statut et rôle (affichage des pages)' })
  @ApiOkResponse({ description: '{ statuses, actions, transitions, anomalies, maxReasonLength, trains }' })
  meta() {
    return {
      statuses: INVOICE_STATUSES.map((code) => ({ code, label: STATUS_LABELS[code] })),
      actions: USER_ACTIONS,
      transitions: TRANSITIONS.filter((t) => (USER_ACTIONS as readonly string[]).includes(t.action)).map((t) => ({
        action: t.action,
        from: t.from,
        roles: t.roles,
        reasonRequired: t.reasonRequired,
        allowedForUnknownRecipient: t.allowedForUnknownRecipient,
        label: t.label,
      })),
      anomalies: Object.entries(ANOMALY_LABELS).map(([code, label]) => ({ code, label })),
      maxReasonLength: MAX_REASON_LENGTH,
      trains: TRAINS,
    };
  }

  private async send(file: string, req: Request, res: Response): Promise<void> {
    const asset = await this.assets.get(file);
    if (!asset) throw new NotFoundError('PAGE_NOT_FOUND', `Fichier introuvable : ${file}`);
    res.setHeader('Content-Type', asset.type);
    res.setHeader('ETag', asset.etag);
    // Revalidated on each load (ETag → 304): a new version is picked up at once, and costs nothing otherwise.
    res.setHeader('Cache-Control', 'no-cache');
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.status(200).end(asset.body);
  }
}
