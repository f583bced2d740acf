import { Injectable } from '@nestjs/common';
import { DomainError } from '@/common/errors/domain.error';
import { formatEuros, formatFrenchDate, parseFrenchAmount } from '@/common/money/french-format';
import { money, sum } from '@/common/money/money';
import { DepensePaymentsService, StoredPayment } from '@/pes/depense/depense-payments.service';
import { ORG_EMA_LABELS } from '@/pes/depense/depense-retour.reader';

export interface ExplainQuery {
  /** As typed: « 1234,56 » or « 1234.56 ». */
  amount: string;
  /** YYYY-MM-DD, the day the transfer reached the supplier's account. */
  date: string;
  /** Supplier's SIRET (optional). */
  supplier?: string;
  /** ± days around the date (a transfer arrives one to a few days after DtePay). */
  days?: number;
}

export type GapKind = 'RETENUE_GARANTIE' | 'PENALITES' | 'AVANCE' | 'EMARGEMENT' | 'AUTRE_PAIEMENT' | 'CESSION_OPPOSITION' | 'INTERETS_MORATOIRES' | 'INEXPLIQUE';

export interface GapLine {
  kind: GapKind;
  /** French, ready to show. */
  label: string;
  /** Decimal string (2 decimals) taken from the net à payer; null for a note that explains no amount. */
  amount: string | null;
}

export interface SettledInvoice {
  invoiceId: string;
  invoiceNumber: string;
  mandateNumber: string;
  netAmount: string;
  /** What this transfer paid on it. */
  paidHere: string;
  /** Net à payer − paid here. */
  gap: string;
  lines: GapLine[];
}

export interface PaymentMatch {
  paidOn: string;
  supplierId: string;
  supplierName: string;
  /** Sum of Hélios' payments of that supplier that day. */
  total: string;
  /** Amount received − total (0 when the transfer is exactly these payments). */
  difference: string;
  exact: boolean;
  invoices: SettledInvoice[];
  /** The transfer's own gap, when it is not the sum of known payments (French). */
  unexplained: string | null;
}

export interface ExplainResult {
  amount: string;
  date: string;
  window: { from: string; to: string };
  supplier: string | null;
  matches: PaymentMatch[];
  /** French summary. */
  message: string;
}

const REAL = '01';
const KIND_OF: Readonly<Record<string, GapKind>> = { '02': 'PENALITES', '03': 'RETENUE_GARANTIE', '13': 'AVANCE', '14': 'AVANCE' };

function shift(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * « Virement reçu » — why a supplier was paid what he was paid: the transfer is matched to Hélios' payments
 * (PES_DepenseRetour, OrgEma 01 « paiement réel ») of one supplier on one day near the date; for each invoice it
 * settles, the gap between its net à payer and what this transfer paid is explained line by line from what
 * Passerelle knows (retenue de garantie, pénalités and other OrgEma kinds, other payments of the invoice, cessions
 * and oppositions, intérêts moratoires paid apart). What nothing explains is said so, never guessed.
 */
@Injectable()
export class PaymentsExplainService {
  constructor(private readonly payments: DepensePaymentsService) {}

  async explain(structureIds: readonly string[], q: ExplainQuery): Promise<ExplainResult> {
    const parsed = parseFrenchAmount(q.amount ?? '');
    if (!parsed || !/^-?\d+(\.\d{1,2})?$/.test(parsed) || money(parsed).lte(0)) {
      throw new DomainError('PAYMENT_AMOUNT_INVALID', `Montant « ${q.amount ?? ''} » invalide : un montant en euros, 2 décimales au plus (ex. 1234,56)`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(q.date ?? '') || Number.isNaN(Date.parse(`${q.date}T00:00:00Z`))) {
      throw new DomainError('PAYMENT_DATE_INVALID', `Date « ${q.date ?? ''} » invalide (AAAA-MM-JJ)`);
    }
    const supplier = q.supplier?.replace(/\s/g, '') || null;
    if (supplier && !/^\d{14}$/.test(supplier)) throw new DomainError('PAYMENT_SUPPLIER_INVALID', `SIRET du fournisseur « ${q.supplier} » invalide (14 chiffres)`);
    const days = q.days ?? 5;
    if (!Number.isInteger(days) || days < 0 || days > 31) throw new DomainError('PAYMENT_WINDOW_INVALID', 'Écart de dates : de 0 à 31 jours');
    const amount = money(parsed).toFixed(2);
    const window = { from: shift(q.date, -days), to: shift(q.date, days) };
    const result: ExplainResult = { amount, date: q.date, window, supplier, matches: [], message: '' };

    const found = await this.payments.between(structureIds, window.from, window.to, supplier ?? undefined);
    const groups = new Map<string, StoredPayment[]>();
    for (const p of found.filter((x) => x.orgEma === REAL)) {
      const key = `${p.supplierId}|${p.paidOn}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    if (!groups.size) {
      result.message = `Aucun paiement connu d'Hélios du ${formatFrenchDate(window.from)} au ${formatFrenchDate(window.to)}${supplier ? ` pour le fournisseur ${supplier}` : ''} : rien n'explique ce virement de ${formatEuros(amount)}.`;
      return result;
    }
    const candidates = [...groups.values()].map((list) => ({ list, total: sum(list.map((p) => p.amount)) }));
    const exact = candidates.filter((c) => c.total.eq(amount));
    // No exact match: the supplier's payment nearest in amount, with its difference said plainly.
    const chosen = exact.length
      ? exact.sort((a, b) => Math.abs(daysBetween(q.date, a.list[0].paidOn)) - Math.abs(daysBetween(q.date, b.list[0].paidOn)))
      : [candidates.sort((a, b) => a.total.minus(amount).abs().cmp(b.total.minus(amount).abs()))[0]];
    const invoiceIds = [...new Set(chosen.flatMap((c) => c.list.map((p) => p.invoiceId)))];
    const all = await this.payments.of(invoiceIds);
    const cessions = await this.payments.cessions(invoiceIds);
    for (const c of chosen) result.matches.push(this.match(amount, c.list, c.total.toFixed(2), all, cessions));
    const m = result.matches[0];
    if (exact.length > 1) {
      result.message = `${exact.length} paiements d'Hélios de ${formatEuros(amount)} près du ${formatFrenchDate(q.date)} : précisez le fournisseur ou la date.`;
    } else if (m.exact) {
      result.message = `Virement de ${formatEuros(amount)} : paiement d'Hélios du ${formatFrenchDate(m.paidOn)} à ${m.supplierName}, ${m.invoices.length} facture(s) réglée(s).`;
    } else {
      result.message = `Aucun paiement d'Hélios de ${formatEuros(amount)} exactement ; le plus proche : ${formatEuros(m.total)} le ${formatFrenchDate(m.paidOn)} à ${m.supplierName}. ${m.unexplained}`;
    }
    return result;
  }

  private match(amount: string, list: StoredPayment[], total: string, all: StoredPayment[], cessions: Array<{ invoiceId: string; idLigne: number; cessOpp: string }>): PaymentMatch {
    const first = list[0];
    const difference = money(amount).minus(total);
    const invoices: SettledInvoice[] = [];
    for (const invoiceId of [...new Set(list.map((p) => p.invoiceId))]) {
      const here = list.filter((p) => p.invoiceId === invoiceId);
      invoices.push(this.explainInvoice(here, all.filter((p) => p.invoiceId === invoiceId), cessions.filter((x) => x.invoiceId === invoiceId)));
    }
    return {
      paidOn: first.paidOn,
      supplierId: first.supplierId,
      supplierName: first.supplierName,
      total,
      difference: difference.toFixed(2),
      exact: difference.isZero(),
      invoices,
      unexplained: difference.isZero()
        ? null
        : `Rien n'explique l'écart de ${formatEuros(difference.abs())} entre le virement (${formatEuros(amount)}) et les paiements connus de ce jour (${formatEuros(total)}).`,
    };
  }

  /** Net à payer − paid here, line by line. */
  private explainInvoice(here: StoredPayment[], all: StoredPayment[], cessions: Array<{ idLigne: number; cessOpp: string }>): SettledInvoice {
    const inv = here[0];
    const net = money(inv.netAmount);
    const paidHere = sum(here.map((p) => p.amount));
    const lines: GapLine[] = [];
    const hereIds = new Set(here.map((p) => p.id));
    const others = all.filter((p) => !hereIds.has(p.id));
    for (const p of others) {
      const when = formatFrenchDate(p.paidOn);
      if (p.orgEma === REAL) {
        lines.push({ kind: 'AUTRE_PAIEMENT', label: `Autre paiement de la facture le ${when} (ligne ${p.idLigne}) : ${formatEuros(p.amount)}`, amount: money(p.amount).toFixed(2) });
        continue;
      }
      const kind = KIND_OF[p.orgEma] ?? 'EMARGEMENT';
      const label =
        kind === 'RETENUE_GARANTIE'
          ? `Retenue de garantie (ligne ${p.idLigne}, ${when}) : ${formatEuros(p.amount)}, versée à la fin du délai de garantie`
          : kind === 'PENALITES'
            ? `Pénalités de retard retenues (ligne ${p.idLigne}, ${when}) : ${formatEuros(p.amount)}`
            : kind === 'AVANCE'
              ? `Avance récupérée — ${ORG_EMA_LABELS[p.orgEma]} (ligne ${p.idLigne}, ${when}) : ${formatEuros(p.amount)}`
              : `${ORG_EMA_LABELS[p.orgEma] ?? `Émargement d'origine ${p.orgEma}`} (ligne ${p.idLigne}, ${when}) : ${formatEuros(p.amount)}`;
      lines.push({ kind, label, amount: money(p.amount).toFixed(2) });
    }
    const gap = net.minus(paidHere);
    let left = gap.minus(sum(lines.map((l) => l.amount ?? '0')));
    const cession = cessions.find((c) => c.cessOpp === '02' || c.cessOpp === '03');
    if (!left.isZero() && left.gt(0) && cession) {
      const what = cession.cessOpp === '03' ? 'totale' : 'partielle';
      lines.push({ kind: 'CESSION_OPPOSITION', label: `Cession ou opposition ${what} sur la ligne ${cession.idLigne} (Hélios) : ${formatEuros(left)} versés à un tiers (cessionnaire ou créancier opposant), pas au fournisseur`, amount: left.toFixed(2) });
      left = money(0);
    }
    if (inv.dueDate && inv.paidOn > inv.dueDate) {
      lines.push({
        kind: 'INTERETS_MORATOIRES',
        label: `Payée le ${formatFrenchDate(inv.paidOn)}, ${daysBetween(inv.dueDate, inv.paidOn)} jour(s) après l'échéance du ${formatFrenchDate(inv.dueDate)} : les intérêts moratoires et l'indemnité forfaitaire de 40 € sont mandatés à part, ils ne sont pas dans ce virement`,
        amount: null,
      });
    }
    if (!left.isZero()) {
      lines.push({ kind: 'INEXPLIQUE', label: `Rien n'explique l'écart de ${formatEuros(left.abs())} ${left.gt(0) ? 'manquant' : 'en trop'} sur cette facture`, amount: left.toFixed(2) });
    }
    return { invoiceId: inv.invoiceId, invoiceNumber: inv.invoiceNumber, mandateNumber: inv.mandateNumber, netAmount: net.toFixed(2), paidHere: paidHere.toFixed(2), gap: gap.toFixed(2), lines };
  }
}
