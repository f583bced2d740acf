import { FactureTravaux, CODE_RETOUR_WORKS_NO_RESULT, WorksRole } from '@/chorus-pro/chorus-pro.types';
import type { SimInvoice, SimStructure, SimulatorState } from '@/chorus-pro/simulator/simulator.state';
import { applyWorks, DEMO_MOE, WorksActor, WorksStage } from '@/fixtures-generator/works-invoice.fixtures';

// The works side of the fake Chorus Pro: facturesTravaux/v1/rechercher, seen as MOE or as MOA. Each works invoice
// has its own status in the works circuit (statutFactureTravaux) beside the recipient-side one; a scenario moves it
// (a MOE suspends it, asks to recycle it…) as the actors would on the portal.

interface SimWorks {
  statut: string;
  at: Date;
  moe: WorksActor;
  moa: WorksActor;
  /** Roles the structure's account holds on this invoice (searches with another role do not see it). */
  roles: WorksRole[];
  /** Still in the MOE/MOA circuit: not yet visible to factures/v1/rechercher/recipiendaire. */
  hiddenFromRecipient: boolean;
}

const MAX_PAGE_SIZE = 1000;
/** Statuses of a works invoice still in the MOE/MOA circuit, per stage. */
const STAGE_STATUS: Record<WorksStage, string> = { moe: 'MISE_A_DISPOSITION_MOE', moa: 'TRANSMISE_MOA', recipient: 'MISE_A_DISPOSITION' };

export class SimulatorWorks {
  private readonly byId = new Map<number, SimWorks>();

  /** The works state of a FACTURE_TRAVAUX invoice (null for others), made on first use. */
  of(invoice: SimInvoice): SimWorks | null {
    if (invoice.typeDemandePaiement !== 'FACTURE_TRAVAUX') return null;
    let works = this.byId.get(invoice.idFacture);
    if (!works) {
      works = {
        statut: invoice.statut,
        at: invoice.dateHeureEtatCourant,
        moe: DEMO_MOE,
        moa: { siret: invoice.structure.siret, name: invoice.structure.name },
        roles: ['MOA'],
        hiddenFromRecipient: false,
      };
      this.byId.set(invoice.idFacture, works);
    }
    return works;
  }

  /**
   * Scenario: makes `invoice` a works invoice at `stage` of the circuit, its pivot carrying the MOE/MOA steps so far.
   * At the MOE or MOA stage it is not yet visible on the recipient side, only through facturesTravaux.
   */
  makeWorks(invoice: SimInvoice, options: { stage?: WorksStage; roles?: WorksRole[]; cadre?: string } = {}): void {
    const stage = options.stage ?? 'recipient';
    invoice.typeDemandePaiement = 'FACTURE_TRAVAUX';
    applyWorks(invoice.spec, invoice.structure, { stage, cadre: options.cadre });
    invoice.cadre = invoice.spec.cadre;
    invoice.taille = undefined;
    const works = this.of(invoice) as SimWorks;
    works.statut = STAGE_STATUS[stage];
    works.roles = options.roles ?? (stage === 'moe' ? ['MOE'] : ['MOA']);
    works.hiddenFromRecipient = stage !== 'recipient';
  }

  /** Scenario: the works-side status changes (SUSPENDUE, A_RECYCLER, back to MISE_A_DISPOSITION…). */
  setStatus(invoice: SimInvoice, statut: string, at = new Date()): void {
    const works = this.of(invoice);
    if (!works) throw new Error(`Facture simulée ${invoice.idFacture} : pas une facture de travaux`);
    works.statut = statut;
    works.at = at;
  }

  hiddenFromRecipient(invoice: SimInvoice): boolean {
    return this.of(invoice)?.hiddenFromRecipient ?? false;
  }
}

/** facturesTravaux/v1/rechercher: no result is codeRetour 20007 (GFT_MSG_01.075), as Chorus Pro answers it. */
export function searchWorks(state: SimulatorState, structure: SimStructure, r: Record<string, unknown>) {
  const role = r.roleUtilisateur;
  if (role !== 'MOE' && role !== 'MOA') return { codeRetour: 20001, libelle: `Rôle utilisateur invalide : ${String(role)} (MOE ou MOA)` };
  const from = typeof r.periodeDateHeureEtatCourantDu === 'string' ? Date.parse(r.periodeDateHeureEtatCourantDu) : -Infinity;
  const to = typeof r.periodeDateHeureEtatCourantAu === 'string' ? Date.parse(r.periodeDateHeureEtatCourantAu) : Infinity;
  const matches = state
    .invoicesOf(structure.siret)
    .map((invoice) => ({ invoice, works: state.works.of(invoice) }))
    .filter((x): x is { invoice: SimInvoice; works: SimWorks } => x.works !== null && x.works.roles.includes(role))
    .filter(({ works }) => works.at.getTime() >= from && works.at.getTime() <= to)
    .sort((a, b) => a.invoice.idFacture - b.invoice.idFacture);
  const paging = (r.rechercheFactureTravaux ?? {}) as { pageResultatDemandee?: number; nbResultatsParPage?: number };
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(paging.nbResultatsParPage ?? 10)));
  const page = Math.max(1, Number(paging.pageResultatDemandee ?? 1));
  const pages = Math.ceil(matches.length / size);
  const slice = matches.slice((page - 1) * size, page * size);
  if (slice.length === 0) return { codeRetour: CODE_RETOUR_WORKS_NO_RESULT, libelle: "GFT_MSG_01.075 La recherche n'a retourné aucun résultat" };
  const listeFacturesTravaux: FactureTravaux[] = slice.map(({ invoice, works }) => worksEntry(state, invoice, works));
  return { codeRetour: 0, libelle: 'TRA_MSG_00.000', parametresRetour: { pageCourante: page, pages, nbResultatsParPage: size, total: matches.length }, listeFacturesTravaux };
}

function worksEntry(state: SimulatorState, invoice: SimInvoice, works: SimWorks): FactureTravaux {
  const s = invoice.spec;
  return {
    idFactureTravaux: invoice.idFacture,
    numeroFactureTravaux: s.number ?? '',
    statutFactureTravaux: works.statut,
    typeDemandePaiement: 'FACTURE_TRAVAUX',
    typeFactureTravaux: 'PROJET_DECOMPTE_MENSUEL',
    cadreFacturation: invoice.cadre,
    dateFactureTravaux: s.issueDate,
    dateDepot: s.receptionDate,
    dateHeureEtatCourant: works.at.toISOString(),
    idDestinataire: invoice.structure.idStructureCPP,
    identifiantDestinataire: invoice.structure.siret,
    designationDestinataire: invoice.structure.name,
    identifiantFournisseur: s.supplier.id,
    designationFournisseur: s.supplier.name,
    typeIdentifiantFournisseur: 'SIRET',
    codeMOE: works.moe.siret,
    designationMOE: works.moe.name,
    codeMOA: works.moa.siret,
    designationMOA: works.moa.name,
    identifiantServiceExecutant: s.debtor.serviceCode ?? null,
    devise: s.currency,
    montantHT: Number(s.amounts.ht),
    montantTTC: Number(s.amounts.ttc),
    montantAPayer: Number(s.amounts.netToPay),
    factureTelechargeeParDestinataire: invoice.telechargee,
    taille: state.taille(invoice),
  };
}
