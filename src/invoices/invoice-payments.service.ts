import { Injectable } from '@nestjs/common';
import { isDecimalString } from '@/common/money/money';
import { AppConfig } from '@/config/app.config';
import { InvoicePaymentsRepository, PaidInvoiceRow } from '@/invoices/invoice-payments.repository';
import { localDate } from '@/invoices/payment-deadline';
import { InvoiceScope } from '@/users/principal';

/** A paid invoice and when, how much, for the modules that reckon with payments (intérêts moratoires). */
export interface PaidInvoice extends Omit<PaidInvoiceRow, 'paymentAt' | 'paymentActor' | 'paymentDetails'> {
  /** Day of payment: the date Hélios reported (`details.paidOn`), else the day of the trésorier's action (collectivité's time zone). */
  paidOn: string;
  paidOnSource: 'reported' | 'action';
  /** Amount paid: the amount Hélios reported (`details.amount`), else the invoice's net à payer. */
  paidAmount: string;
  paidBy: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The invoices module's public read of payments: the transition to MISE_EN_PAIEMENT (trésorier's action, Chorus
 * Pro's status, or Hélios' PES_DepenseRetour with `paidOn` and `amount` in the step's details).
 */
@Injectable()
export class InvoicePaymentsService {
  constructor(
    private readonly repository: InvoicePaymentsRepository,
    private readonly config: AppConfig,
  ) {}

  /** Paid invoices of the structures in scope (one structure when `structureId` is given), oldest payment first. */
  async paidInvoices(scope: InvoiceScope, structureId?: string): Promise<PaidInvoice[]> {
    const allowed = scope.structureIds;
    let structureIds: string[] | 'all' = allowed;
    if (structureId) structureIds = allowed === 'all' || allowed.includes(structureId) ? [structureId] : [];
    if (structureIds !== 'all' && !structureIds.length) return [];
    const rows = await this.repository.paid({ structureIds });
    return rows.map((r) => this.toPaid(r)).sort((a, b) => a.paidOn.localeCompare(b.paidOn) || a.number.localeCompare(b.number));
  }

  /** The payment of one invoice, or null when it is not paid (the caller checks it may see the invoice). */
  async paymentOf(invoiceId: string): Promise<PaidInvoice | null> {
    const [row] = await this.repository.paid({ structureIds: 'all', invoiceId });
    return row ? this.toPaid(row) : null;
  }

  private toPaid(r: PaidInvoiceRow): PaidInvoice {
    const details = r.paymentDetails ?? {};
    const reportedDay = typeof details.paidOn === 'string' && DAY.test(details.paidOn) && !Number.isNaN(Date.parse(details.paidOn)) ? details.paidOn : null;
    const reportedAmount = typeof details.amount === 'string' && isDecimalString(details.amount) ? details.amount.trim() : null;
    return {
      id: r.id,
      number: r.number,
      supplierId: r.supplierId,
      supplierName: r.supplierName,
      structureId: r.structureId,
      netAmount: r.netAmount,
      receptionDate: r.receptionDate,
      dueDate: r.dueDate,
      paidOn: reportedDay ?? localDate(new Date(r.paymentAt), this.config.timezone),
      paidOnSource: reportedDay ? 'reported' : 'action',
      paidAmount: reportedAmount ?? r.netAmount,
      paidBy: r.paymentActor,
    };
  }
}
