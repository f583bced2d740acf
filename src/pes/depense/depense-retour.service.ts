import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { sum } from '@/common/money/money';
import { UnitOfWork } from '@/database/unit-of-work';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { DepenseMandatState, DepenseMandatsRepository } from '@/pes/depense/depense-mandats.repository';
import { CESS_OPP_LABELS, ETAT_PCE_LABELS, ORG_EMA_LABELS, readDepenseRetour, RetourPiece } from '@/pes/depense/depense-retour.reader';

/** EtatPce → the mandat's state at the comptable's. */
const STATE_OF: Readonly<Record<string, DepenseMandatState>> = { '01': 'EN_INSTANCE', '02': 'PRIS_EN_CHARGE', '04': 'REJETE', '05': 'SOLDE' };

export interface RetourMandatReport {
  mandat: string;
  year: number;
  bordereau: number;
  idPce: number;
  invoiceNumber: string | null;
  etatPce: string;
  etatLabel: string;
  reason: string | null;
  lines: Array<{ idLigne: number; mtHt: string | null; cessOpp: string | null; cessOppLabel: string | null; payments: Array<{ orgEma: string; label: string; paidOn: string; amount: string }> }>;
  /** Real payments (OrgEma 01) this retour brought: the invoice went to MISE_EN_PAIEMENT (or kept it in its history). */
  paid: Array<{ paidOn: string; amount: string; outcome: 'paid' | 'recorded' }>;
}

export interface RetourResult {
  nomFic: string | null;
  budget: string | null;
  lookedUp: { idColl: string | null; codCol: string | null; codBud: string | null };
  alreadyApplied: boolean;
  /** French, when nothing could be applied. */
  message: string | null;
  mandats: RetourMandatReport[];
  /** Mandats Hélios names that Passerelle never sent: reported, never matched by guess. */
  unknown: Array<{ year: number; bordereau: number; idPce: number; etatPce: string }>;
  /** Invoices moved to « Mise en paiement ». */
  paidInvoices: number;
}

/**
 * Reads a PES_DepenseRetour: each mandat Hélios names (exercice, bordereau, IdPce) is found among those Passerelle
 * sent for the budget; its state follows EtatPce (a rejection is shown with Hélios' motif and the mandat can leave
 * again; Chorus Pro is not told), its lines' CessOpp and every PaiementEmargement are kept for « Virement reçu », and
 * a real payment moves the invoice to MISE_EN_PAIEMENT through the state machine (event from Hélios). One
 * transaction per file; the same file read twice changes nothing.
 */
@Injectable()
export class DepenseRetourService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: DepenseMandatsRepository,
    private readonly bordereaux: BordereauxRepository,
    private readonly workflow: InvoiceWorkflowPort,
    private readonly clock: Clock,
  ) {}

  async applyFile(path: string): Promise<RetourResult> {
    return this.apply(await readFile(path), path.split('/').pop() ?? null);
  }

  /** `guard` is called with the budget the retour names, before anything changes (REST access rights). */
  async apply(content: Buffer, fileName: string | null = null, guard?: (budget: { code: string; idColl: string }) => Promise<void>): Promise<RetourResult> {
    const retour = readDepenseRetour(content);
    const lookedUp = { idColl: retour.idColl, codCol: retour.codCol, codBud: retour.codBud };
    const result: RetourResult = { nomFic: retour.nomFic, budget: null, lookedUp, alreadyApplied: false, message: null, mandats: [], unknown: [], paidInvoices: 0 };
    const budget = await this.bordereaux.findBudgetByHeader(retour.idColl ?? '', retour.codCol ?? '', retour.codBud ?? '');
    if (!budget) {
      result.message = `Budget inconnu : aucun budget paramétré avec IdColl ${retour.idColl ?? '(absent)'}, CodColl ${retour.codCol ?? '(absent)'}, CodBud ${retour.codBud ?? '(absent)'} (EnTetePES du retour) ; rien n'a été modifié.`;
      result.unknown = retour.pieces.map((p) => ({ year: p.year, bordereau: p.bordereau, idPce: p.idPce, etatPce: p.etatPce }));
      return result;
    }
    result.budget = budget.code;
    if (guard) await guard(budget);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const now = this.clock.now();
    await this.uow.run(async (em) => {
      const retourId = await this.repo.insertRetour(em, { sha256, nomFic: retour.nomFic, budgetId: budget.id, at: now, report: {} });
      if (!retourId) {
        result.alreadyApplied = true;
        result.message = `Retour ${retour.nomFic ?? fileName ?? ''} déjà lu : rien n'a été modifié.`;
        return;
      }
      for (const p of retour.pieces) {
        const row = await this.repo.findPiece(em, budget.id, p.year, p.bordereau, p.idPce);
        if (!row) {
          result.unknown.push({ year: p.year, bordereau: p.bordereau, idPce: p.idPce, etatPce: p.etatPce });
          continue;
        }
        const report = this.report(p, row.mandateNumber, row.invoiceNumber);
        const state = STATE_OF[p.etatPce];
        if (state) await this.repo.setState(em, row.id, state, now, state === 'REJETE' ? 'HELIOS' : null, state === 'REJETE' ? p.reason ?? 'Rejet sans motif précisé' : p.reason);
        const real: Array<{ paidOn: string; amount: string }> = [];
        for (const l of p.lines) {
          const lineId = await this.repo.insertLine(em, {
            retourId, depenseMandatId: row.id, invoiceId: row.invoiceId, idLigne: l.idLigne, etatPce: p.etatPce, etatLig: l.etatLig, natPce: p.natPce,
            cessOpp: l.cessOpp, mtHt: l.mtHt, mtTva: l.mtTva, obsEtat: l.obsEtat,
          });
          for (const [position, pay] of l.payments.entries()) {
            const fresh = await this.repo.insertPayment(em, {
              retourLineId: lineId, invoiceId: row.invoiceId, structureId: row.structureId, supplierId: row.supplierId, position, idLigne: l.idLigne,
              orgEma: pay.orgEma, paidOn: pay.paidOn, amount: pay.amount,
            });
            if (fresh && pay.orgEma === '01') real.push(pay);
          }
        }
        // One event per payment date: the amount Hélios paid on the mandat that day (all its lines).
        const byDate = new Map<string, string[]>();
        for (const pay of real) byDate.set(pay.paidOn, [...(byDate.get(pay.paidOn) ?? []), pay.amount]);
        for (const [paidOn, amounts] of [...byDate.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
          const amount = sum(amounts).toFixed(2);
          const outcome = await this.workflow.onHeliosPayment(em, row.invoiceId, {
            paidOn, amount, mandateNumber: row.mandateNumber, bordereau: `${p.year}-${p.bordereau}`, retourFile: retour.nomFic ?? fileName,
          });
          if (outcome === 'paid') result.paidInvoices++;
          report.paid.push({ paidOn, amount, outcome });
        }
        result.mandats.push(report);
      }
      await this.repo.updateRetourReport(em, retourId, { mandats: result.mandats, unknown: result.unknown });
    });
    return result;
  }

  private report(p: RetourPiece, mandat: string, invoiceNumber: string): RetourMandatReport {
    return {
      mandat,
      year: p.year,
      bordereau: p.bordereau,
      idPce: p.idPce,
      invoiceNumber,
      etatPce: p.etatPce,
      etatLabel: ETAT_PCE_LABELS[p.etatPce] ?? `état ${p.etatPce}`,
      reason: p.reason,
      lines: p.lines.map((l) => ({
        idLigne: l.idLigne,
        mtHt: l.mtHt,
        cessOpp: l.cessOpp,
        cessOppLabel: l.cessOpp ? CESS_OPP_LABELS[l.cessOpp] ?? l.cessOpp : null,
        payments: l.payments.map((x) => ({ ...x, label: ORG_EMA_LABELS[x.orgEma] ?? `origine ${x.orgEma}` })),
      })),
      paid: [],
    };
  }
}
