import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity } from '@/flows/flow.entity';
import { InvoiceRows } from '@/ingestion/invoice-rows.builder';
import {
  ANOMALY_COLUMNS,
  ATTACHMENT_COLUMNS,
  bulkInsertAll,
  bulkInsertNew,
  FLOW_COLUMNS,
  HISTORY_COLUMNS,
  INVOICE_COLUMNS,
  LINE_COLUMNS,
  VALIDATION_COLUMNS,
  VAT_COLUMNS,
} from '@/ingestion/invoice-rows.columns';

/** A duplicate key already stored: by IdCPRO, or by supplier + number + year. */
export interface KnownInvoice {
  id: string;
  cproId: string | null;
  supplierId: string;
  number: string;
  invoiceYear: number;
  status: string;
}

function childParts(rows: Partial<Omit<InvoiceRows, 'invoice'>>) {
  return [
    { table: 'invoice_lines', columns: LINE_COLUMNS, rows: rows.lines ?? [] },
    { table: 'invoice_vats', columns: VAT_COLUMNS, rows: rows.vats ?? [] },
    { table: 'invoice_attachments', columns: ATTACHMENT_COLUMNS, rows: rows.attachments ?? [] },
    { table: 'invoice_anomalies', columns: ANOMALY_COLUMNS, rows: rows.anomalies ?? [] },
    { table: 'invoice_validations', columns: VALIDATION_COLUMNS, rows: rows.validations ?? [] },
    { table: 'invoice_history', columns: HISTORY_COLUMNS, rows: rows.history ?? [] },
  ];
}

// PostgreSQL accepts at most 65,535 bind parameters per statement.
const MAX_PARAMS = 30_000;

@Injectable()
export class IngestionRepository {
  /**
   * Look-ups by SHA-256 asked in the same tick go as one query: the pull prepares up to 200 flows at once, each asking
   * whether its bytes are known (one round trip each was a third of the pull's queries). No cache: a flow stored
   * since must be seen.
   */
  private readonly flowsBySha = new DataLoader<string, FlowEntity | null>(
    async (shas) => {
      // One array parameter, not In() of up to 500 (TypeORM's handling of that many parameters is slow).
      const rows = await this.dataSource.getRepository(FlowEntity).createQueryBuilder('f').where('f.sha256 = ANY(:shas)', { shas: [...shas] }).getMany();
      const bySha = new Map(rows.map((r) => [r.sha256, r]));
      return shas.map((sha) => bySha.get(sha) ?? null);
    },
    { cache: false, maxBatchSize: 500 },
  );

  constructor(private readonly dataSource: DataSource) {}

  findFlowBySha(sha256: string): Promise<FlowEntity | null> {
    return this.flowsBySha.load(sha256);
  }

  async insertFlow(em: EntityManager, flow: Partial<FlowEntity>): Promise<FlowEntity> {
    return em.getRepository(FlowEntity).save(em.getRepository(FlowEntity).create(flow));
  }

  /** Inserts the flow unless one with the same SHA-256 exists (then null): one round trip for a new flow. */
  async insertFlowIfNew(em: EntityManager, flow: Partial<FlowEntity>): Promise<FlowEntity | null> {
    const inserted = await this.insertFlowsIfNew(em, [flow]);
    return inserted.get(flow.sha256!) ?? null;
  }

  /**
   * Inserts the flows whose SHA-256 is not stored yet, in one statement; returns those inserted by SHA-256 (a flow
   * known before, or twice in the list, is left to the one-flow path, which says « déjà importé »).
   */
  async insertFlowsIfNew(em: EntityManager, flows: Array<Partial<FlowEntity>>): Promise<Map<string, FlowEntity>> {
    const rows = flows.map((f) => ({ ...f, id: f.id ?? randomUUID() }));
    // One JSON parameter (bulkInsertNew), not TypeORM's 20 parameters a row: its bookkeeping of 2,000 parameters for
    // 100 flows cost more than the statement.
    const inserted = new Set((await bulkInsertNew(em, { table: 'flows', columns: FLOW_COLUMNS, rows }, 'id')) as string[]);
    const out = new Map<string, FlowEntity>();
    for (const row of rows) if (inserted.has(row.id)) out.set(row.sha256!, em.getRepository(FlowEntity).create(row));
    return out;
  }

  async updateFlow(em: EntityManager, id: string, changes: Partial<FlowEntity>): Promise<void> {
    await em.getRepository(FlowEntity).update({ id }, changes as never);
  }

  /** num_ordre of the invoices a crashed run of this flow already stored (resume). */
  async storedNumOrdres(flowId: string): Promise<Set<number>> {
    const rows: Array<{ num_ordre: number }> = await this.dataSource.query(
      'SELECT num_ordre FROM invoices WHERE flow_id = $1',
      [flowId],
    );
    return new Set(rows.map((r) => Number(r.num_ordre)));
  }

  async clearFlowErrors(em: EntityManager, flowId: string): Promise<void> {
    await em.getRepository(FlowErrorEntity).delete({ flowId });
  }

  async findKnown(
    em: EntityManager,
    cproIds: string[],
    keys: Array<{ supplierId: string; number: string; year: number }>,
  ): Promise<KnownInvoice[]> {
    if (cproIds.length === 0 && keys.length === 0) return [];
    const rows: Array<Record<string, unknown>> = await em.query(
      `SELECT id, cpro_id, supplier_id, number, invoice_year, status FROM invoices
        WHERE cpro_id = ANY($1::varchar[])
           OR (supplier_id, number, invoice_year) IN (
                SELECT * FROM unnest($2::varchar[], $3::varchar[], $4::int[]))`,
      [cproIds, keys.map((k) => k.supplierId), keys.map((k) => k.number), keys.map((k) => k.year)],
    );
    return rows.map((r) => ({
      id: String(r.id),
      cproId: (r.cpro_id as string | null) ?? null,
      supplierId: String(r.supplier_id),
      number: String(r.number),
      invoiceYear: Number(r.invoice_year),
      status: String(r.status),
    }));
  }

  async attachmentShas(em: EntityManager, invoiceId: string): Promise<Set<string>> {
    const rows: Array<{ sha256: string | null; num_ordre: number }> = await em.query(
      'SELECT sha256, num_ordre FROM invoice_attachments WHERE invoice_id = $1',
      [invoiceId],
    );
    return new Set(rows.map((r) => r.sha256 ?? `#${r.num_ordre}`));
  }

  /** Whether this flow's `Renvoi=Complétée` was already applied to the invoice (a resumed import must not redo it). */
  async resendApplied(em: EntityManager, invoiceId: string, flowId: string): Promise<boolean> {
    const rows = await em.query(`SELECT 1 FROM invoice_history WHERE invoice_id = $1 AND flow_id = $2 AND step = 'RENVOI_COMPLETEE' LIMIT 1`, [invoiceId, flowId]);
    return rows.length > 0;
  }

  /** Keys (date, code, complement, comment) of the validation steps already recorded for the invoice. */
  async validationKeys(em: EntityManager, invoiceId: string): Promise<Set<string>> {
    const rows: Array<{ status_date: string; status_code: string; complement: string | null; comment: string | null }> = await em.query(
      'SELECT status_date::text AS status_date, status_code, complement, comment FROM invoice_validations WHERE invoice_id = $1',
      [invoiceId],
    );
    return new Set(rows.map((r) => validationKey(r.status_date, r.status_code, r.complement, r.comment)));
  }

  /** Every row of these new invoices: one statement, an array-parameter INSERT per table, parents first. */
  async insertInvoiceRows(em: EntityManager, rows: InvoiceRows[]): Promise<void> {
    await bulkInsertAll(em, [
      { table: 'invoices', columns: INVOICE_COLUMNS, rows: rows.map((r) => r.invoice) },
      ...childParts({
        lines: rows.flatMap((r) => r.lines),
        vats: rows.flatMap((r) => r.vats),
        attachments: rows.flatMap((r) => r.attachments),
        anomalies: rows.flatMap((r) => r.anomalies),
        validations: rows.flatMap((r) => r.validations),
        history: rows.flatMap((r) => r.history),
      }),
    ]);
  }

  /** Rows hanging off invoices that already exist (new invoices, or a `Renvoi` completing a known one). */
  async insertChildRows(em: EntityManager, rows: Partial<Omit<InvoiceRows, 'invoice'>>): Promise<void> {
    await bulkInsertAll(em, childParts(rows));
  }

  /** Multi-row INSERT, chunked under the bind-parameter limit. */
  async insertMany<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void> {
    if (rows.length === 0) return;
    const columns = Math.max(1, Object.keys(rows[0]).length);
    const chunk = Math.max(1, Math.floor(MAX_PARAMS / columns));
    for (let i = 0; i < rows.length; i += chunk) {
      await em
        .createQueryBuilder()
        .insert()
        .into(target)
        .values(rows.slice(i, i + chunk) as never)
        .updateEntity(false)
        .execute();
    }
  }

  /** Links credit notes (381) to their origin invoice, whichever of the two arrived first (flows stored together: all). */
  async linkCreditNotes(em: EntityManager, flowId: string | string[], options: { creditNotes?: boolean } = {}): Promise<void> {
    const ids = Array.isArray(flowId) ? flowId : [flowId];
    if (ids.length === 0) return;
    // Two indexed statements rather than one `c.flow_id = $1 OR o.flow_id = $1`, which scans every invoice.
    const link = (side: 'c' | 'o') =>
      em.query(
        `UPDATE invoices c SET origin_invoice_id = o.id
           FROM invoices o
          WHERE c.type = '381' AND c.origin_number IS NOT NULL AND c.origin_invoice_id IS NULL
            AND o.supplier_id = c.supplier_id AND o.number = c.origin_number AND o.id <> c.id
            AND ${side}.flow_id = ANY($1::uuid[])`,
        [ids],
      );
    // Credit notes of this flow whose origin is known (skipped when the caller knows the flow holds none).
    if (options.creditNotes ?? true) await link('c');
    await link('o'); // origins arriving in this flow for credit notes received earlier
  }

  /** Structures that may see the flow (flow_structures, migration 1700000010000); adding one twice is harmless. */
  async attributeFlow(em: EntityManager, flowId: string, structureIds: string[]): Promise<void> {
    await this.attributeFlows(em, structureIds.map((structureId) => ({ flowId, structureId })));
  }

  /** Several (flow, structure) links in one statement (flows stored together). */
  async attributeFlows(em: EntityManager, links: Array<{ flowId: string; structureId: string }>): Promise<void> {
    const unique = [...new Map(links.map((l) => [`${l.flowId}:${l.structureId}`, l])).values()];
    if (unique.length === 0) return;
    await em.query(
      `INSERT INTO flow_structures (flow_id, structure_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [unique.map((l) => l.flowId), unique.map((l) => l.structureId)],
    );
  }

  async addAnomalyCodes(em: EntityManager, invoiceId: string, codes: string[]): Promise<void> {
    await em.query(
      `UPDATE invoices SET anomaly_codes = ARRAY(SELECT DISTINCT unnest(anomaly_codes || $2::text[])),
              attachment_count = (SELECT count(*) FROM invoice_attachments WHERE invoice_id = $1),
              updated_at = now()
        WHERE id = $1`,
      [invoiceId, codes],
    );
  }

  /** Names of the packs attachments and raw flows point into (`pack:<name>:<offset>:<size>[:gz]`, see LocalFileBatch). */
  async referencedPacks(): Promise<Set<string>> {
    const rows: Array<{ pack: string }> = await this.dataSource.query(
      `SELECT split_part(storage_key, ':', 2) AS pack FROM invoice_attachments WHERE storage_key LIKE 'pack:%'
        UNION SELECT split_part(storage_key, ':', 2) FROM flows WHERE storage_key LIKE 'pack:%'`,
    );
    return new Set(rows.map((r) => r.pack));
  }
}

/** One validation step (CycleDeValidation/ValidationUnitaire) as a comparable key. */
export function validationKey(date: string, code: string, complement: string | null | undefined, comment: string | null | undefined): string {
  return [date, code, complement ?? '', comment ?? ''].join('\u0000');
}
