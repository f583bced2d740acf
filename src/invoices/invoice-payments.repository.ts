import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid } from '@/invoices/invoice-transitions.repository';

/** A paid invoice as stored: the invoice and its payment step (the transition to MISE_EN_PAIEMENT). */
export interface PaidInvoiceRow {
  id: string;
  number: string;
  supplierId: string;
  supplierName: string;
  structureId: string | null;
  netAmount: string;
  receptionDate: string;
  dueDate: string | null;
  paymentAt: Date;
  paymentActor: string;
  paymentDetails: Record<string, unknown> | null;
}

/** SQL of the payments read by other modules (intérêts moratoires): one row per paid invoice, its first payment step. */
@Injectable()
export class InvoicePaymentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async paid(filter: { structureIds: string[] | 'all'; invoiceId?: string }): Promise<PaidInvoiceRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.structureIds !== 'all') {
      params.push(filter.structureIds);
      where.push(`i.structure_id = ANY($${params.length}::uuid[])`);
    }
    if (filter.invoiceId !== undefined) {
      if (!isUuid(filter.invoiceId)) return [];
      params.push(filter.invoiceId);
      where.push(`i.id = $${params.length}::uuid`);
    }
    return this.dataSource.query(
      `SELECT DISTINCT ON (i.id)
              i.id, i.number, i.supplier_id AS "supplierId", i.supplier_name AS "supplierName", i.structure_id AS "structureId",
              i.net_amount AS "netAmount", i.reception_date AS "receptionDate", i.due_date AS "dueDate",
              h.at AS "paymentAt", h.actor AS "paymentActor", h.details AS "paymentDetails"
         FROM invoices i
         JOIN invoice_history h ON h.invoice_id = i.id AND h.to_status = 'MISE_EN_PAIEMENT'
                               AND h.from_status IS DISTINCT FROM 'MISE_EN_PAIEMENT'
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY i.id, h.id`,
      params,
    );
  }
}
