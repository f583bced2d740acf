import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { ConflictError, NotFoundError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { Train } from '@/invoices/mandates.service';

/** A mandat as the dépense bordereau needs it (issue 14): the mandate, its invoice, imputations and PJ. */
export interface MandateForDepense {
  mandateId: string;
  invoiceId: string;
  structureId: string;
  number: string;
  year: number;
  /** Gapless number of the mandate within its exercice: the bordereau's IdPce. */
  sequence: number;
  object: string;
  train: Train;
  releasedAt: Date | null;
  amount: string;
  supplierIdType: string;
  supplierId: string;
  supplierName: string;
  supplierCountry: string | null;
  iban: string | null;
  /** ReferenceBancaire/Etablissement of the pivot (a BIC for an IBAN, else the bank's name). */
  bankEstablishment: string | null;
  bankHolder: string | null;
  invoiceNumber: string;
  invoiceType: string;
  issueDate: string;
  receptionDate: string;
  dueDate: string | null;
  netAmount: string;
  marketNumber: string | null;
  serviceCode: string | null;
  imputations: Array<{ article: string; fonction: string | null; operation: string | null; service: string | null; amount: string; engagement: string | null }>;
  /** The mandate's PJ (the pivot's, type 01 invoice and 02 supplementary); `storageKey` null when unreadable. */
  attachments: Array<{ id: string; type: string; name: string; mimeType: string; storageKey: string | null; errorMessage: string | null }>;
}

/**
 * What the PES dépense module reads of mandates (its port into invoices: data walks invoices → pes), and the release
 * of a mandat held in the waiting train. Mandated invoices only (MANDATEE): once paid, a mandat never leaves again.
 */
@Injectable()
export class MandateExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Mandats of a structure whose invoice is MANDATEE, by exercice and number; `ids` narrows to some mandates. */
  async mandated(structureId: string, ids?: string[]): Promise<MandateForDepense[]> {
    const rows: Array<Omit<MandateForDepense, 'imputations' | 'attachments'>> = await this.dataSource.query(
      `SELECT m.id AS "mandateId", m.invoice_id AS "invoiceId", m.structure_id AS "structureId", m.number, m.year, m.sequence,
              m.object, m.train, m.released_at AS "releasedAt", m.amount::text AS amount,
              i.supplier_id_type AS "supplierIdType", i.supplier_id AS "supplierId", i.supplier_name AS "supplierName",
              i.supplier_country AS "supplierCountry", m.iban, i.bank_establishment AS "bankEstablishment", m.bank_holder AS "bankHolder",
              i.number AS "invoiceNumber", i.type AS "invoiceType", i.issue_date::text AS "issueDate", i.reception_date::text AS "receptionDate",
              i.due_date::text AS "dueDate", i.net_amount::text AS "netAmount", i.market_number AS "marketNumber", i.service_code AS "serviceCode"
         FROM mandates m JOIN invoices i ON i.id = m.invoice_id
        WHERE m.structure_id = $1 AND i.status = 'MANDATEE' AND ($2::uuid[] IS NULL OR m.id = ANY($2::uuid[]))
        ORDER BY m.year, m.sequence`,
      [structureId, ids ?? null],
    );
    if (!rows.length) return [];
    const mandateIds = rows.map((r) => r.mandateId);
    const imputations: Array<MandateForDepense['imputations'][number] & { mandateId: string }> = await this.dataSource.query(
      `SELECT mandate_id AS "mandateId", article, fonction, operation, service, amount::text AS amount, engagement
         FROM mandate_imputations WHERE mandate_id = ANY($1::uuid[]) ORDER BY mandate_id, position`,
      [mandateIds],
    );
    const attachments: Array<MandateForDepense['attachments'][number] & { mandateId: string }> = await this.dataSource.query(
      `SELECT ma.mandate_id AS "mandateId", a.id, a.type, a.name, a.mime_type AS "mimeType", a.storage_key AS "storageKey",
              a.error_message AS "errorMessage"
         FROM mandate_attachments ma JOIN invoice_attachments a ON a.id = ma.attachment_id
        WHERE ma.mandate_id = ANY($1::uuid[]) ORDER BY ma.mandate_id, a.type, a.num_ordre, a.id`,
      [mandateIds],
    );
    return rows.map((r) => ({
      ...r,
      year: Number(r.year),
      sequence: Number(r.sequence),
      imputations: imputations.filter((i) => i.mandateId === r.mandateId).map(({ mandateId: _m, ...i }) => i),
      attachments: attachments.filter((a) => a.mandateId === r.mandateId).map(({ mandateId: _m, ...a }) => a),
    }));
  }

  /** Releases a mandat of the waiting train (« train d'attente »): it leaves with the next bordereau. */
  async release(structureIds: readonly string[], number: string, actor: string): Promise<{ number: string; releasedAt: Date }> {
    return this.uow.run(async (em) => {
      const rows: Array<{ id: string; train: string; releasedAt: Date | null }> = await em.query(
        `SELECT id, train, released_at AS "releasedAt" FROM mandates WHERE number = $1 AND structure_id = ANY($2::uuid[]) FOR UPDATE`,
        [number, structureIds],
      );
      if (!rows.length) throw new NotFoundError('MANDATE_NOT_FOUND', `Mandat inconnu dans vos structures : ${number}`);
      const m = rows[0];
      if (m.train !== 'attente') throw new ConflictError('MANDATE_NOT_WAITING', `Le mandat ${number} n'est pas dans le train d'attente`);
      if (m.releasedAt) return { number, releasedAt: m.releasedAt };
      const releasedAt = this.clock.now();
      await em.query(`UPDATE mandates SET released_at = $3, released_by = $2 WHERE id = $1`, [m.id, actor, releasedAt]);
      return { number, releasedAt };
    });
  }
}
