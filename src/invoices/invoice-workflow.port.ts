import { EntityManager } from 'typeorm';

/**
 * What ingestion and the Chorus Pro pull tell the workflow: Chorus Pro reports a status for a known invoice
 * (e.g. COMPLETEE after a suspension, MISE_EN_PAIEMENT set by the comptable). The workflow decides what it
 * means (state machine), inside the caller's transaction, and writes the history step.
 */
export abstract class InvoiceWorkflowPort {
  abstract onChorusProStatus(
    em: EntityManager,
    invoiceId: string,
    cppStatus: string,
    context: { actor: string; flowId?: string | null; details?: Record<string, unknown> },
  ): Promise<void>;

  /**
   * Many reports at once, in the caller's transaction (the pull: 5,000 new invoices are 5,000 MISE_A_DISPOSITION):
   * the same decisions as onChorusProStatus for each, with the reads and the plain « Statut Chorus Pro reçu » steps
   * written a batch at a time. All or nothing: one invoice changed meanwhile fails the whole call (INVOICE_CONFLICT).
   */
  abstract onChorusProStatuses(em: EntityManager, reports: ChorusProStatusReport[]): Promise<void>;

  /**
   * The status Chorus Pro reports for an invoice being created (the pull read it in the search): what to write WITH the
   * new invoice (its `cpp_status` and the « Statut Chorus Pro reçu » step) when that is all the state machine does with
   * it — no UPDATE of 5,000 fresh rows right after. Null when the status also moves the invoice: then it is reported
   * through onChorusProStatuses once the invoice exists.
   */
  abstract firstChorusProStatus(invoice: { status: string }, report: Omit<ChorusProStatusReport, 'invoiceId'>, at: Date): FirstChorusProStatus | null;

  /**
   * Hélios paid a mandat (PES_DepenseRetour, PaiementEmargement « paiement réel »): a MANDATEE invoice moves to
   * MISE_EN_PAIEMENT; one already there keeps the payment in its history (« Paiement Hélios »). The history row's
   * `details` carry `{ source: 'HELIOS', paidOn, amount, … }` (read by the intérêts moratoires).
   */
  abstract onHeliosPayment(em: EntityManager, invoiceId: string, payment: HeliosPayment): Promise<'paid' | 'recorded'>;
}

export interface ChorusProStatusReport {
  invoiceId: string;
  cppStatus: string;
  context: { actor: string; flowId?: string | null; details?: Record<string, unknown> };
}

export interface FirstChorusProStatus {
  cppStatus: string;
  /** The history row, but for its invoice id. */
  step: { step: string; label: string; actor: string; at: Date; fromStatus: string | null; toStatus: string | null; flowId: string | null; details: Record<string, unknown> };
}

export interface HeliosPayment {
  /** DtePay, YYYY-MM-DD. */
  paidOn: string;
  /** Decimal string, 2 decimals: what this payment paid on the invoice's mandat. */
  amount: string;
  mandateNumber: string;
  /** Exercice and IdBord of the bordereau the mandat travelled in. */
  bordereau: string;
  retourFile: string | null;
}
