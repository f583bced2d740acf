import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, DomainError } from '@/common/errors/domain.error';
import { formatEuros } from '@/common/money/french-format';
import { formatAmount, isDecimalString, money, sum, toCents } from '@/common/money/money';
import { SequenceService } from '@/common/sequences/sequence.service';
import { InvoiceForWorkflow } from '@/invoices/invoice-transitions.repository';

export type Train = 'normal' | 'attente';
export const TRAINS: readonly Train[] = ['normal', 'attente'];

export interface ImputationInput {
  article: string;
  fonction?: string | null;
  operation?: string | null;
  service?: string | null;
  /** Decimal string with at most 2 decimals; may be omitted when there is a single imputation (whole net). */
  amount?: string | null;
  engagement?: string | null;
}

export interface MandateInput {
  imputations?: ImputationInput[];
  train?: Train;
}

export interface MandateView {
  id: string;
  invoiceId: string;
  number: string;
  year: number;
  supplierId: string;
  supplierName: string;
  iban: string | null;
  bankHolder: string | null;
  object: string;
  train: Train;
  amount: string;
  createdBy: string;
  createdAt: Date;
  imputations: Array<Required<Omit<ImputationInput, 'amount'>> & { amount: string }>;
  attachmentIds: string[];
}

const CODE = /^[A-Za-z0-9._-]{1,20}$/;

/**
 * Mandats: the payment order built when an invoice is mandated (as Corail does in « Intégration des
 * flux »): number from a gapless sequence per budget (structure) and year, tiers with the pivot's IBAN,
 * object « Facture N° … du … reçue le … », imputations summing to the net amount to the cent, train, PJ.
 */
@Injectable()
export class MandatesService {
  constructor(
    private readonly sequences: SequenceService,
    private readonly dataSource: DataSource,
  ) {}

  /** Checks the imputations before anything is written; returns them with amounts in cents. */
  validate(invoice: InvoiceForWorkflow, input: MandateInput): { imputations: Array<ImputationInput & { amount: string }>; train: Train } {
    const net = toCents(invoice.netAmount);
    const list = input.imputations ?? [];
    if (!list.length) throw new DomainError('IMPUTATIONS_REQUIRED', 'Au moins une imputation comptable est nécessaire pour mandater');
    if (list.length > 100) throw new DomainError('IMPUTATION_INVALID', 'Trop d’imputations (100 au plus)');
    const imputations = list.map((imp, i) => {
      const where = `imputation ${i + 1}`;
      if (!imp.article || !CODE.test(imp.article)) throw new DomainError('IMPUTATION_INVALID', `${where} : article (nature) manquant ou invalide`);
      for (const key of ['fonction', 'operation'] as const) {
        const v = imp[key];
        if (v && !CODE.test(v)) throw new DomainError('IMPUTATION_INVALID', `${where} : ${key} invalide`);
      }
      let amount = imp.amount?.trim();
      if (!amount) {
        if (list.length > 1) throw new DomainError('IMPUTATION_INVALID', `${where} : montant manquant`);
        amount = net.toFixed(2);
      }
      if (!isDecimalString(amount) || !/^-?\d+(\.\d{1,2})?$/.test(amount)) {
        throw new DomainError('IMPUTATION_INVALID', `${where} : montant « ${amount} » invalide (en euros, 2 décimales au plus)`);
      }
      // A mandate pays the supplier: a negative line (a credit hidden inside a mandate) is refused, never stored.
      if (money(amount).lt(0)) {
        throw new DomainError('IMPUTATION_INVALID', `${where} : montant négatif (${formatEuros(amount)}) refusé : une imputation est positive ou nulle`);
      }
      return { ...imp, amount: money(amount).toFixed(2) };
    });
    const total = sum(imputations.map((i) => i.amount));
    if (!total.eq(net)) {
      throw new DomainError(
        'IMPUTATIONS_TOTAL_MISMATCH',
        `Le total des imputations (${formatEuros(total)}) doit égaler le net à payer de la facture (${formatEuros(net)})`,
        { total: total.toFixed(2), netAmount: net.toFixed(2) },
      );
    }
    const train = input.train ?? defaultTrain(invoice);
    if (!TRAINS.includes(train)) throw new DomainError('INVALID_TRAIN', `Train inconnu : « ${train} » (normal ou attente)`);
    return { imputations, train };
  }

  /** Writes the mandate in the caller's transaction (after the invoice row was updated, i.e. locked). */
  async create(
    em: EntityManager,
    invoice: InvoiceForWorkflow,
    checked: ReturnType<MandatesService['validate']>,
    actor: string,
    year: number,
  ): Promise<{ id: string; number: string }> {
    if (!invoice.structureId) throw new ConflictError('UNKNOWN_RECIPIENT_RESTRICTED', 'Facture sans structure destinataire : pas de mandat');
    const sequence = await this.sequences.next(em, `mandate:${invoice.structureId}`, year);
    const number = mandateNumber(year, sequence);
    let id: string;
    try {
      const rows: Array<{ id: string }> = await em.query(
        `INSERT INTO mandates (invoice_id, structure_id, year, sequence, number, supplier_id, supplier_name, iban, bank_holder,
                               object, train, amount, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [
          invoice.id, invoice.structureId, year, sequence, number, invoice.supplierId, invoice.supplierName,
          invoice.bankAccount, invoice.bankHolder, mandateObject(invoice), checked.train,
          toCents(invoice.netAmount).toFixed(2), actor,
        ],
      );
      id = rows[0].id;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ConflictError('INVOICE_ALREADY_MANDATED', 'Cette facture a déjà un mandat');
      }
      throw err;
    }
    for (const [position, imp] of checked.imputations.entries()) {
      await em.query(
        `INSERT INTO mandate_imputations (mandate_id, position, article, fonction, operation, service, amount, engagement)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, position + 1, imp.article, imp.fonction || null, imp.operation || null, imp.service || null, imp.amount, imp.engagement || null],
      );
    }
    // The pivot's PJ (invoice and supplementary) go with the mandate, as Corail attaches them.
    await em.query(
      `INSERT INTO mandate_attachments (mandate_id, attachment_id)
       SELECT $1, id FROM invoice_attachments WHERE invoice_id = $2 AND storage_key IS NOT NULL`,
      [id, invoice.id],
    );
    return { id, number };
  }

  async findByInvoice(invoiceId: string): Promise<MandateView | null> {
    const rows: Array<Omit<MandateView, 'imputations' | 'attachmentIds'>> = await this.dataSource.query(
      `SELECT id, invoice_id AS "invoiceId", number, year, supplier_id AS "supplierId", supplier_name AS "supplierName", iban,
              bank_holder AS "bankHolder", object, train, amount, created_by AS "createdBy", created_at AS "createdAt"
         FROM mandates WHERE invoice_id = $1`,
      [invoiceId],
    );
    if (!rows.length) return null;
    const m = rows[0];
    const imputations = await this.dataSource.query(
      `SELECT article, fonction, operation, service, amount, engagement FROM mandate_imputations WHERE mandate_id = $1 ORDER BY position`,
      [m.id],
    );
    const attachments: Array<{ id: string }> = await this.dataSource.query(
      `SELECT attachment_id AS id FROM mandate_attachments WHERE mandate_id = $1 ORDER BY attachment_id`,
      [m.id],
    );
    return { ...m, amount: formatAmount(m.amount, 2), imputations, attachmentIds: attachments.map((a) => a.id) };
  }
}

/** « 2026-000123 »: the exercice and a 6-digit gapless number, as Corail users read mandate numbers. */
export function mandateNumber(year: number, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}

/** « Facture N° AVA20150923 du 16/06/2016 reçue le 22/06/2016 » (Corail's mandate object). */
export function mandateObject(invoice: Pick<InvoiceForWorkflow, 'type' | 'number' | 'issueDate' | 'receptionDate'>): string {
  const fr = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
  const kind = invoice.type === '381' ? 'Avoir' : 'Facture';
  return `${kind} N° ${invoice.number} du ${fr(invoice.issueDate)} reçue le ${fr(invoice.receptionDate)}`;
}

/** Cadre A2 « facture déjà payée » (débit d'office, prélèvement): waiting train until the bordereau arrives. */
export function defaultTrain(invoice: Pick<InvoiceForWorkflow, 'cadre'>): Train {
  return invoice.cadre === 'A2' ? 'attente' : 'normal';
}
