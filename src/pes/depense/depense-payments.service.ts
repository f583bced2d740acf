import { Injectable } from '@nestjs/common';
import { DepenseMandatsRepository, StoredPayment } from '@/pes/depense/depense-mandats.repository';

export type { StoredPayment };

/** What Hélios' retours said of payments, for « Virement reçu » (src/payments): the public face of the dépense tables. */
@Injectable()
export class DepensePaymentsService {
  constructor(private readonly repo: DepenseMandatsRepository) {}

  /** Payments and émargements dated within [from, to] for these structures (optionally one supplier). */
  between(structureIds: readonly string[], from: string, to: string, supplierId?: string): Promise<StoredPayment[]> {
    return this.repo.paymentsBetween(structureIds, from, to, supplierId);
  }

  /** Every payment and émargement known for these invoices. */
  of(invoiceIds: string[]): Promise<StoredPayment[]> {
    return this.repo.paymentsOf(invoiceIds);
  }

  /** The last CessOpp of each line of these invoices. */
  cessions(invoiceIds: string[]): Promise<Array<{ invoiceId: string; idLigne: number; cessOpp: string }>> {
    return this.repo.cessionsOf(invoiceIds);
  }
}
