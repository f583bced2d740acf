import { Injectable } from '@nestjs/common';
import { DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { formatAmount, sum } from '@/common/money/money';
import { InvoicePaymentsService, PaidInvoice } from '@/invoices/invoice-payments.service';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { computeLateInterest, HalfYearRate, LateInterestFigures } from '@/late-interest/late-interest.calculator';
import { LateInterestRatesService } from '@/late-interest/late-interest-rates.service';
import { StructuresService } from '@/structures/structures.service';
import { InvoiceScope, inScope } from '@/users/principal';

/** One invoice paid late: the figures, or why they cannot be computed (a missing rate), never a guess. */
export interface LateInterestItem {
  invoiceId: string;
  number: string;
  supplierId: string;
  supplierName: string;
  structureId: string | null;
  netAmount: string;
  receptionDate: string;
  dueDate: string;
  paidOn: string;
  /** 'reported' = date given by Hélios (PES_DepenseRetour), 'action' = day of the trésorier's « Mise en paiement ». */
  paidOnSource: PaidInvoice['paidOnSource'];
  figures: LateInterestFigures | null;
  error: { code: string; message: string } | null;
}

export interface LateInterestList {
  items: LateInterestItem[];
  /** Sum of the computed totals (interest + indemnity), exact cents; invoices in error are not in it. */
  total: string;
  inError: number;
}

export interface InvoiceLateInterest {
  invoiceId: string;
  paid: boolean;
  paidOn: string | null;
  dueDate: string | null;
  late: boolean;
  item: LateInterestItem | null;
}

/**
 * « Intérêts moratoires à mandater »: the invoices paid after their due date, with the interest and indemnity owed de
 * plein droit (late-interest.calculator.ts). Reads invoices through the invoices module's public services only.
 */
@Injectable()
export class LateInterestService {
  constructor(
    private readonly payments: InvoicePaymentsService,
    private readonly invoices: InvoicesQueryService,
    private readonly rates: LateInterestRatesService,
    private readonly structures: StructuresService,
  ) {}

  /** The list of a structure (SIRET), or of every structure in scope. */
  async list(scope: InvoiceScope, structureSiret?: string): Promise<LateInterestList> {
    let structureId: string | undefined;
    if (structureSiret) {
      const structure = await this.structures.findEntityBySiret(structureSiret.replace(/\s/g, ''));
      if (!structure) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${structureSiret}`);
      if (!inScope(scope, structure.id)) {
        throw new ForbiddenError('STRUCTURE_FORBIDDEN', `La structure ${structure.siret} ne fait pas partie de vos structures`);
      }
      structureId = structure.id;
    }
    const rateOf = await this.rates.lookup();
    const items = (await this.payments.paidInvoices(scope, structureId)).filter(isLate).map((p) => this.item(p, rateOf));
    const computed = items.flatMap((i) => (i.figures ? [i.figures.total] : []));
    return { items, total: formatAmount(sum(computed), 2), inError: items.filter((i) => i.error).length };
  }

  /** For the invoice's page: paid or not, late or not, and the figures. */
  async forInvoice(scope: InvoiceScope, invoiceId: string): Promise<InvoiceLateInterest> {
    const invoice = await this.invoices.findVisible(scope, invoiceId);
    const payment = await this.payments.paymentOf(invoice.id);
    if (!payment) return { invoiceId: invoice.id, paid: false, paidOn: null, dueDate: invoice.dueDate, late: false, item: null };
    const late = isLate(payment);
    return {
      invoiceId: invoice.id,
      paid: true,
      paidOn: payment.paidOn,
      dueDate: payment.dueDate,
      late,
      item: late ? this.item(payment, await this.rates.lookup()) : null,
    };
  }

  private item(p: PaidInvoice, rateOf: (start: string) => HalfYearRate | undefined): LateInterestItem {
    const base: Omit<LateInterestItem, 'figures' | 'error'> = {
      invoiceId: p.id,
      number: p.number,
      supplierId: p.supplierId,
      supplierName: p.supplierName,
      structureId: p.structureId,
      netAmount: p.netAmount,
      receptionDate: p.receptionDate,
      dueDate: p.dueDate as string,
      paidOn: p.paidOn,
      paidOnSource: p.paidOnSource,
    };
    try {
      return { ...base, figures: computeLateInterest({ dueDate: p.dueDate as string, paidOn: p.paidOn, base: p.paidAmount }, rateOf), error: null };
    } catch (err) {
      // One invoice without a rate never hides the others: it is listed with the reason.
      if (!(err instanceof DomainError)) throw err;
      return { ...base, figures: null, error: { code: err.code, message: err.message } };
    }
  }
}

function isLate(p: PaidInvoice): boolean {
  return p.dueDate !== null && p.paidOn > p.dueDate;
}
