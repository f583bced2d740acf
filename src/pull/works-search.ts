import { Inject, Injectable, Optional } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProCallContext, FactureRecipiendaire, FactureTravaux, WorksRole } from '@/chorus-pro/chorus-pro.types';
import { AppConfig } from '@/config/app.config';
import { InvoiceWorksService, WorksRecord } from '@/invoices/invoice-works.service';

/** Works-side statuses under which Chorus Pro still holds the invoice (MOE/MOA circuit): not created here. */
export const WORKS_HELD_STATUSES: ReadonlySet<string> = new Set(['SUSPENDUE', 'A_RECYCLER']);
const ROLES: WorksRole[] = ['MOE', 'MOA'];

export interface WorksSearchResult {
  /** Every works invoice seen as MOE or MOA in the window, by idFactureTravaux. */
  byId: Map<number, { entry: FactureTravaux; roles: WorksRole[] }>;
  /** Those still SUSPENDUE or A_RECYCLER on the works side: never downloaded nor created. */
  held: Set<number>;
}

/**
 * Works invoices (« factures de travaux », issue 15) through facturesTravaux/v1/rechercher, as MOE and as MOA, every
 * page, beside the recipient search by typeDemandePaiement (which sees them only once they reach the recipient).
 * idFactureTravaux is the id telecharger/groupe takes (Pastell's CPP connector downloads them so). « No result » is
 * codeRetour 20007 here (the client returns it as an empty list).
 */
@Injectable()
export class WorksInvoiceSearch {
  constructor(
    private readonly api: ChorusProApi,
    private readonly config: AppConfig,
    @Optional() @Inject(InvoiceWorksService) private readonly works: InvoiceWorksService | null,
  ) {}

  async search(ctx: ChorusProCallContext, window: { from: Date; to: Date }): Promise<WorksSearchResult> {
    const byId = new Map<number, { entry: FactureTravaux; roles: WorksRole[] }>();
    const pageSize = this.config.chorusPro.pageSize;
    await Promise.all(
      ROLES.map(async (role) => {
        for (let page = 1; ; page++) {
          const answer = await this.api.rechercherFacturesTravaux(ctx, {
            roleUtilisateur: role,
            periodeDateHeureEtatCourantDu: window.from.toISOString(),
            periodeDateHeureEtatCourantAu: window.to.toISOString(),
            rechercheFactureTravaux: { pageResultatDemandee: page, nbResultatsParPage: pageSize },
          });
          for (const entry of answer.listeFacturesTravaux) {
            const id = Number(entry.idFactureTravaux);
            const seen = byId.get(id);
            if (!seen) byId.set(id, { entry, roles: [role] });
            else {
              if (!seen.roles.includes(role)) seen.roles.push(role);
              if ((entry.dateHeureEtatCourant ?? '') > (seen.entry.dateHeureEtatCourant ?? '')) seen.entry = entry;
            }
          }
          const pages = answer.parametresRetour?.pages ?? (answer.listeFacturesTravaux.length === pageSize ? page + 1 : page);
          if (answer.listeFacturesTravaux.length === 0 || page >= pages) break;
        }
      }),
    );
    const held = new Set([...byId].filter(([, w]) => WORKS_HELD_STATUSES.has(w.entry.statutFactureTravaux)).map(([id]) => id));
    return { byId, held };
  }

  /**
   * The works invoices the recipient search did not see (still in the MOE/MOA circuit), as recipient entries: added to
   * the pull after it, the recipient side's entry winning for an invoice in both (its status is the one the workflow
   * follows).
   */
  unseen(recipient: ReadonlyMap<number, unknown>, works: WorksSearchResult): FactureRecipiendaire[] {
    return [...works.byId.values()].filter(({ entry }) => !recipient.has(Number(entry.idFactureTravaux))).map(({ entry }) => asRecipientEntry(entry));
  }

  /** Keeps the works-side facts of the invoices that exist now (those created by this pull included). */
  async record(works: WorksSearchResult): Promise<void> {
    if (!this.works || works.byId.size === 0) return;
    const records: WorksRecord[] = [...works.byId.values()].map(({ entry, roles }) => ({
      cproId: String(entry.idFactureTravaux),
      roles: [...roles].sort(),
      worksStatus: entry.statutFactureTravaux,
      worksType: entry.typeFactureTravaux ?? null,
      cadre: entry.cadreFacturation ?? null,
      moe: entry.codeMOE || entry.designationMOE ? { id: entry.codeMOE ?? null, name: entry.designationMOE ?? null } : null,
      moa: entry.codeMOA || entry.designationMOA ? { id: entry.codeMOA ?? null, name: entry.designationMOA ?? null } : null,
      statusAt: entry.dateHeureEtatCourant ?? null,
    }));
    await this.works.record(records);
  }
}

function asRecipientEntry(w: FactureTravaux): FactureRecipiendaire {
  return {
    idFacture: Number(w.idFactureTravaux),
    numeroFacture: w.numeroFactureTravaux,
    typeDemandePaiement: 'FACTURE_TRAVAUX',
    typeFacture: 'FACTURE',
    typeFactureTravaux: w.typeFactureTravaux ?? null,
    statut: w.statutFactureTravaux,
    dateHeureEtatCourant: w.dateHeureEtatCourant,
    dateDepot: w.dateDepot ?? '',
    dateFacture: w.dateFactureTravaux ?? '',
    codeDestinataire: w.identifiantDestinataire ?? '',
    designationDestinataire: w.designationDestinataire ?? '',
    idDestinataire: Number(w.idDestinataire ?? 0),
    codeFournisseur: w.identifiantFournisseur ?? '',
    designationFournisseur: w.designationFournisseur ?? '',
    typeIdentifiantFournisseur: w.typeIdentifiantFournisseur ?? 'SIRET',
    codeServiceExecutant: w.identifiantServiceExecutant ?? null,
    devise: w.devise ?? 'EUR',
    montantHT: Number(w.montantHT ?? 0),
    montantTTC: Number(w.montantTTC ?? 0),
    montantAPayer: Number(w.montantAPayer ?? 0),
    factureTelechargeeParDestinataire: Boolean(w.factureTelechargeeParDestinataire),
    taille: w.taille,
  };
}
