import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from '@/database/unit-of-work';
import { InvoiceWorksEntity, WorksParty } from '@/invoices/invoice-works.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { isWorksCadre } from '@/pivot/works-cadres';

/** What the pull learnt of a works invoice on Chorus Pro's works side (facturesTravaux/v1/rechercher). */
export interface WorksRecord {
  cproId: string;
  roles: string[];
  worksStatus: string;
  worksType: string | null;
  cadre: string | null;
  moe: WorksParty | null;
  moa: WorksParty | null;
  statusAt: string | null;
}

/** One step of the works circuit on the invoice page: a ValidationUnitaire of the pivot, with the actor's role. */
export interface WorksStep {
  date: string;
  code: string;
  label: string | null;
  comment: string | null;
  actor: string | null;
  actorId: string | null;
  /** MOE, MOA, Fournisseur, or null when the producer matches none of them. */
  role: 'MOE' | 'MOA' | 'Fournisseur' | null;
}

export interface InvoiceWorksView {
  isWorks: boolean;
  cadre: string;
  works: Omit<InvoiceWorksEntity, 'invoiceId' | 'updatedAt'> | null;
  steps: WorksStep[];
}

/**
 * Works invoices (« factures de travaux »): the works-side facts kept beside the invoice, and the MOE/MOA steps of
 * its validation cycle (CycleDeValidation, CPPFacturePivot V2_02) for the pages. Keyed by the invoice, found by
 * IdCPRO: what the pull records before an invoice exists is simply not written (the next pull writes it).
 */
@Injectable()
export class InvoiceWorksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  /** One transaction for the structure's works invoices (through the unit of work: PGlite's single connection). */
  async record(records: WorksRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.uow.run(async (em) => {
      for (const r of records) await this.upsert(em, r);
    });
  }

  private async upsert(em: EntityManager, r: WorksRecord): Promise<void> {
    await em.query(
        `INSERT INTO invoice_works (invoice_id, cpro_id, roles, works_status, works_type, cadre, moe, moa, status_at, updated_at)
         SELECT i.id, $1::varchar, $2::text[], $3::varchar, $4::varchar, $5::varchar, $6::jsonb, $7::jsonb, $8::timestamptz, now() FROM invoices i WHERE i.cpro_id = $1::varchar
         ON CONFLICT (invoice_id) DO UPDATE SET roles = EXCLUDED.roles, works_status = EXCLUDED.works_status, works_type = EXCLUDED.works_type,
           cadre = EXCLUDED.cadre, moe = EXCLUDED.moe, moa = EXCLUDED.moa, status_at = EXCLUDED.status_at, updated_at = now()`,
        [r.cproId, r.roles, r.worksStatus, r.worksType, r.cadre, JSON.stringify(r.moe), JSON.stringify(r.moa), r.statusAt],
    );
  }

  /** For an invoice already known visible to the caller (InvoicesQueryService.findVisible). */
  async view(invoice: { id: string; cadre: string; supplierId: string }): Promise<InvoiceWorksView> {
    const [works, validations] = await Promise.all([
      this.dataSource.getRepository(InvoiceWorksEntity).findOne({ where: { invoiceId: invoice.id } }),
      this.dataSource.getRepository(InvoiceValidationEntity).find({ where: { invoiceId: invoice.id }, order: { statusDate: 'ASC', statusCode: 'ASC' } }),
    ]);
    const roleOf = (id: string | null): WorksStep['role'] => {
      if (!id) return null;
      if (works?.moe?.id === id) return 'MOE';
      if (works?.moa?.id === id) return 'MOA';
      return id === invoice.supplierId ? 'Fournisseur' : null;
    };
    const steps = validations.map((v) => {
      const producer = (v.producer ?? {}) as { id?: string; name?: string };
      const actorId = producer.id ? String(producer.id) : null;
      return { date: v.statusDate, code: v.statusCode, label: v.complement, comment: v.comment, actor: producer.name ? String(producer.name) : null, actorId, role: roleOf(actorId) };
    });
    const view = works ? { cproId: works.cproId, roles: works.roles, worksStatus: works.worksStatus, worksType: works.worksType, cadre: works.cadre, moe: works.moe, moa: works.moa, statusAt: works.statusAt } : null;
    return { isWorks: Boolean(works) || isWorksCadre(invoice.cadre), cadre: invoice.cadre, works: view, steps };
  }
}
