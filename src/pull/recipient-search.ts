import { Injectable } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProCallContext, FactureRecipiendaire, TypeDemandePaiement } from '@/chorus-pro/chorus-pro.types';
import { AppConfig } from '@/config/app.config';

const TYPES: TypeDemandePaiement[] = ['FACTURE', 'FACTURE_TRAVAUX'];

/**
 * The recipient search (factures/v1/rechercher/recipiendaire) of a pull window, both payment types, every page, sorted
 * by IdFacture, with each invoice's `taille` (for the download groups).
 */
@Injectable()
export class RecipientInvoiceSearch {
  constructor(
    private readonly api: ChorusProApi,
    private readonly config: AppConfig,
  ) {}

  /**
   * Every page of the recipient search (FACTURE and FACTURE_TRAVAUX) handed to `onPage` with its type as it arrives;
   * pages of both types, and the other pages of a type, may be handled at the same time (the caller orders its own
   * work). The first page of a type is handled before its other pages are asked for: its downloads take the quota's
   * next places (the quota serves calls in the order they ask), so the import starts within the first second.
   */
  async pages(
    ctx: ChorusProCallContext,
    window: { from: Date; to: Date },
    onPage: (entries: FactureRecipiendaire[], type: TypeDemandePaiement) => Promise<void>,
  ): Promise<void> {
    const pageSize = this.config.chorusPro.pageSize;
    await Promise.all(TYPES.map((type) => this.searchType(ctx, window, type, pageSize, (entries) => onPage(entries, type))));
  }

  private async searchType(
    ctx: ChorusProCallContext,
    window: { from: Date; to: Date },
    type: TypeDemandePaiement,
    pageSize: number,
    handle: (entries: FactureRecipiendaire[]) => Promise<void>,
  ): Promise<void> {
    const request = (page: number) =>
      this.api.rechercherFacturesRecipiendaire(ctx, {
        typeDemandePaiement: type,
        periodeDateHeureEtatCourantDu: window.from.toISOString(),
        periodeDateHeureEtatCourantAu: window.to.toISOString(),
        recupererTaille: true,
        paramRecherche: { pageResultatDemandee: page, nbResultatsParPage: pageSize, triColonne: 'IdFacture', triSens: 'Ascendant' },
      });
    const first = await request(1);
    await handle(first.listeFactures);
    if (first.pages !== null && first.pages !== undefined) {
      // The other pages are independent: asked together, the shared quota spaces them out.
      await Promise.all(Array.from({ length: Math.max(0, (first.pages as number) - 1) }, async (_, i) => handle((await request(i + 2)).listeFactures)));
      return;
    }
    // No page count in the answer: the next page is asked for as long as the previous one was full (stopping after
    // page 2, as before, lost every invoice beyond it).
    for (let page = 2, last = first; last.listeFactures.length === pageSize; page++) {
      last = await request(page);
      await handle(last.listeFactures);
    }
  }
}
