import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { NormalizedLine, NormalizedTotals } from '@/pes/pes.checks';
import { AsapEvent, AsapRetourView, foldAsapEvents } from '@/pes/pes-asap-retour.types';
import type { Debtor, TitreData, TitreInput } from '@/pes/pes.types';
import { TitreEntity, TitreStatus } from '@/pes/titre.entity';

/** What a titre row holds besides its number (the columns written by an entry or an edit). */
export interface TitreRowData {
  input: TitreInput;
  /** NomService, possibly completed from the directory. */
  serviceName: string | null;
  lines: NormalizedLine[];
  totals: NormalizedTotals;
  pdf: { name: string; key: string } | null;
}

/** A titre as the writer needs it, before its PDF bytes are read from the store. */
export type TitreForFlow = Omit<TitreData, 'pdf'> & { pdfName: string | null; pdfStorageKey: string | null };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQL rows (snake_case columns)
type Row = Record<string, any>;

const TITRE_COLUMNS = `external_ref, issue_date, object, typ_pce, nat_pce, edition, cod_serv, debtor, debtor_siret, debtor_service_code,
  debtor_service_name, debtor_engagement, invoice_number, market_number, talon_line1, talon_line2, amount_ht, amount_tva, amount_ttc, pdf_name, pdf_storage_key`;

function rowValues(d: TitreRowData, externalRef: string | null): unknown[] {
  const t = d.input;
  return [
    externalRef, t.issueDate, t.object, t.typPce, t.natPce, t.edition, t.codServ ?? null, JSON.stringify(t.debtor), t.debtor.siret ?? null,
    t.serviceCode ?? null, d.serviceName, t.engagementNumber ?? null, t.invoiceNumber ?? null, t.marketNumber ?? null,
    t.talon?.ligne1 ?? null, t.talon?.ligne2 ?? null, d.totals.amountHt, d.totals.amountTva, d.totals.amountTtc, d.pdf?.name ?? null, d.pdf?.key ?? null,
  ];
}

/** Titres de recettes and their lines: every query of the recette side goes through here. */
@Injectable()
export class TitresRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findExternalRefs(em: EntityManager, budgetId: string, refs: string[]): Promise<Set<string>> {
    if (!refs.length) return new Set();
    const rows: Row[] = await em.query(`SELECT external_ref FROM pes_titres WHERE budget_id = $1 AND external_ref = ANY($2::varchar[])`, [budgetId, refs]);
    return new Set(rows.map((r) => String(r.external_ref)));
  }

  async insert(em: EntityManager, budgetId: string, year: number, number: number, d: TitreRowData): Promise<string> {
    const values = [budgetId, year, number, ...rowValues(d, d.input.ref ?? null)];
    const [row] = await em.query(
      `INSERT INTO pes_titres (budget_id, year, number, status, ${TITRE_COLUMNS})
       VALUES ($1, $2, $3, 'EN_ATTENTE', ${values.slice(3).map((_, i) => (i === 7 ? `$${i + 4}::jsonb` : `$${i + 4}`)).join(', ')}) RETURNING id`,
      values,
    );
    await this.insertLines(em, row.id, d);
    return row.id;
  }

  /** Rewrites a pending titre (number and exercice kept), its lines replaced. */
  async replace(em: EntityManager, id: string, d: TitreRowData, externalRef: string | null): Promise<void> {
    const values = rowValues(d, externalRef);
    const sets = TITRE_COLUMNS.split(',').map((c, i) => `${c.trim()} = $${i + 2}${i === 7 ? '::jsonb' : ''}`);
    await em.query(`UPDATE pes_titres SET ${sets.join(', ')}, last_refusal = NULL, updated_at = now() WHERE id = $1`, [id, ...values]);
    await em.query(`DELETE FROM pes_titre_lines WHERE titre_id = $1`, [id]);
    await this.insertLines(em, id, d);
  }

  private async insertLines(em: EntityManager, titreId: string, d: TitreRowData): Promise<void> {
    const lines = d.lines;
    if (!lines.length) return;
    const params: unknown[] = [];
    const values: string[] = [];
    for (const l of lines) {
      params.push(titreId, l.lineNo, l.productCode, l.nature, l.fonction, l.operation, l.label, l.quantity, l.unitPrice, l.amountHt, l.vatRate, l.amountTva);
      const b = params.length - 12;
      values.push(`(${Array.from({ length: 12 }, (_, k) => `$${b + k + 1}`).join(',')})`);
    }
    await em.query(
      `INSERT INTO pes_titre_lines (titre_id, line_no, product_code, nature, fonction, operation, label, quantity, unit_price, amount_ht, vat_rate, amount_tva)
       VALUES ${values.join(',')}`,
      params,
    );
  }

  /** Status under a row lock (an edit re-checks that no generation froze the titre meanwhile). */
  async lockStatus(em: EntityManager, id: string): Promise<TitreStatus | null> {
    const [row] = await em.query(`SELECT status FROM pes_titres WHERE id = $1 FOR UPDATE`, [id]);
    return row ? (row.status as TitreStatus) : null;
  }

  /**
   * Another titre of the same collectivité (SIRET, any budget) already carrying this CPP invoice number:
   * Chorus Pro refuses an invoice number its supplier already used.
   */
  async findInvoiceNumberUse(em: EntityManager, idColl: string, invoiceNumber: string, exceptId?: string): Promise<{ year: number; number: number; budget: string } | null> {
    // Serialises two entries of the same number for the same collectivité until commit.
    await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`pes-invoice:${idColl}:${invoiceNumber}`]);
    const [row] = await em.query(
      `SELECT t.year, t.number, b.code FROM pes_titres t JOIN pes_budgets b ON b.id = t.budget_id
        WHERE b.id_coll = $1 AND t.invoice_number = $2 AND ($3::uuid IS NULL OR t.id <> $3::uuid) LIMIT 1`,
      [idColl, invoiceNumber, exceptId ?? null],
    );
    return row ? { year: Number(row.year), number: Number(row.number), budget: String(row.code) } : null;
  }

  findById(id: string): Promise<TitreEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(null);
    return this.dataSource.getRepository(TitreEntity).findOne({ where: { id }, relations: { lines: true }, order: { lines: { lineNo: 'ASC' } } });
  }

  list(budgetId: string, filter: { status?: string; year?: number } = {}): Promise<TitreEntity[]> {
    const where: Record<string, unknown> = { budgetId };
    if (filter.status) where.status = filter.status;
    if (filter.year) where.year = filter.year;
    return this.dataSource.getRepository(TitreEntity).find({ where, relations: { lines: true }, order: { year: 'ASC', number: 'ASC', lines: { lineNo: 'ASC' } } });
  }

  /** The pending titres of a budget, as the flow writer needs them. */
  findPendingForFlow(budgetId: string): Promise<TitreForFlow[]> {
    return this.loadForFlow(`t.budget_id = $1 AND t.status = 'EN_ATTENTE'`, [budgetId]);
  }

  /** Every titre of a budget, as the flow writer needs them (the bench's reference documents). */
  findAllForFlow(budgetId: string): Promise<TitreForFlow[]> {
    return this.loadForFlow(`t.budget_id = $1`, [budgetId]);
  }

  /** Locks the given titres; returns those still pending (a concurrent generation may have frozen others). */
  async lockPending(em: EntityManager, ids: string[]): Promise<Set<string>> {
    const rows: Row[] = await em.query(`SELECT id FROM pes_titres WHERE id = ANY($1::uuid[]) AND status = 'EN_ATTENTE' FOR UPDATE`, [ids]);
    return new Set(rows.map((r) => String(r.id)));
  }

  async markEmitted(em: EntityManager, ids: string[], bordereauId: string): Promise<void> {
    await em.query(`UPDATE pes_titres SET status = 'EMIS', bordereau_id = $2, last_refusal = NULL, updated_at = now() WHERE id = ANY($1::uuid[])`, [ids, bordereauId]);
  }

  async recordRefusals(em: EntityManager, refusals: Array<{ id: string; reason: string }>): Promise<void> {
    for (const r of refusals) await em.query(`UPDATE pes_titres SET last_refusal = $2 WHERE id = $1`, [r.id, r.reason]);
  }

  /** The PES_AsapRetour news of these titres, folded into one view each. */
  async asapRetours(titreIds: string[]): Promise<Map<string, AsapRetourView>> {
    const out = new Map<string, AsapRetourView>();
    if (!titreIds.length) return out;
    const rows: Row[] = await this.dataSource.query(
      // Dates as text: the driver would turn a `date` into a local-time Date.
      `SELECT titre_id, kind, posted_on::text AS posted_on, notified_on::text AS notified_on, first_read_on::text AS first_read_on,
              rejected_on::text AS rejected_on, rejection_code, rejection_reason, relance, complement_state, received_at
         FROM pes_asap_events WHERE titre_id = ANY($1::uuid[]) ORDER BY titre_id, received_at, position`,
      [titreIds],
    );
    const byTitre = new Map<string, AsapEvent[]>();
    for (const r of rows) {
      const list = byTitre.get(r.titre_id) ?? [];
      list.push({
        kind: r.kind,
        postedOn: r.posted_on,
        notifiedOn: r.notified_on,
        firstReadOn: r.first_read_on,
        rejectedOn: r.rejected_on,
        rejectionCode: r.rejection_code,
        rejectionReason: r.rejection_reason,
        relance: Boolean(r.relance),
        complementState: r.complement_state,
        receivedAt: new Date(r.received_at).toISOString(),
      });
      byTitre.set(r.titre_id, list);
    }
    for (const [id, events] of byTitre) out.set(id, foldAsapEvents(events)!);
    return out;
  }

  /**
   * The titre whose ASAP travelled in the PJ `idUnique` (pes_bordereau_pjs), else — for a budget the file names —
   * the titre IdPce of the recette bordereau IdBord of exercice Exer.
   */
  async findByAsapPj(idUnique: string, fallback?: { budgetId: string; year: number; bordereau: number; piece: number }): Promise<AsapTitreRef | null> {
    const select = `SELECT t.id, t.year, t.number, b.id AS "budgetId", b.code AS "budgetCode", b.id_coll AS "idColl"
      FROM pes_titres t JOIN pes_budgets b ON b.id = t.budget_id JOIN pes_bordereaux d ON d.id = t.bordereau_id`;
    const [row] = await this.dataSource.query(`${select} JOIN pes_bordereau_pjs p ON p.bordereau_id = d.id AND p.piece = t.number WHERE p.id_unique = $1`, [idUnique]);
    if (row || !fallback) return row ?? null;
    const [other] = await this.dataSource.query(`${select} WHERE t.budget_id = $1 AND d.domain = 'recette' AND d.year = $2 AND d.number = $3 AND t.number = $4`, [
      fallback.budgetId, fallback.year, fallback.bordereau, fallback.piece,
    ]);
    return other ?? null;
  }

  /** One PES_AsapRetour piece of news; the same file read again adds nothing (source_sha256, position). */
  async insertAsapEvent(em: EntityManager, titreId: string, idUnique: string, e: AsapEvent, sha256: string, position: number): Promise<boolean> {
    const rows = await em.query(
      `INSERT INTO pes_asap_events (titre_id, id_unique, kind, posted_on, notified_on, first_read_on, rejected_on, rejection_code, rejection_reason, relance, complement_state, source_sha256, position, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING RETURNING id`,
      [titreId, idUnique, e.kind, e.postedOn, e.notifiedOn, e.firstReadOn, e.rejectedOn, e.rejectionCode, e.rejectionReason, e.relance, e.complementState, sha256, position, e.receivedAt],
    );
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  private async loadForFlow(where: string, params: unknown[]): Promise<TitreForFlow[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT t.* FROM pes_titres t WHERE ${where} ORDER BY t.year, t.number`, params);
    if (!rows.length) return [];
    const lines: Row[] = await this.dataSource.query(`SELECT * FROM pes_titre_lines WHERE titre_id = ANY($1::uuid[]) ORDER BY titre_id, line_no`, [rows.map((r) => r.id)]);
    const byTitre = new Map<string, NormalizedLine[]>();
    for (const l of lines) {
      const list = byTitre.get(l.titre_id) ?? [];
      list.push({
        lineNo: l.line_no,
        productCode: l.product_code,
        nature: l.nature,
        fonction: l.fonction,
        operation: l.operation,
        label: l.label,
        quantity: String(l.quantity),
        unitPrice: String(l.unit_price),
        amountHt: String(l.amount_ht),
        vatRate: String(l.vat_rate),
        amountTva: String(l.amount_tva),
      });
      byTitre.set(l.titre_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      year: r.year,
      number: r.number,
      issueDate: r.issue_date,
      object: r.object,
      typPce: r.typ_pce,
      natPce: r.nat_pce,
      edition: r.edition,
      codServ: r.cod_serv,
      debtor: (typeof r.debtor === 'string' ? JSON.parse(r.debtor) : r.debtor) as Debtor,
      debtorSiret: r.debtor_siret,
      debtorServiceCode: r.debtor_service_code,
      debtorServiceName: r.debtor_service_name,
      debtorEngagement: r.debtor_engagement,
      invoiceNumber: r.invoice_number,
      marketNumber: r.market_number,
      talon: r.talon_line1 && r.talon_line2 ? { ligne1: r.talon_line1, ligne2: r.talon_line2 } : null,
      amountHt: String(r.amount_ht),
      amountTva: String(r.amount_tva),
      amountTtc: String(r.amount_ttc),
      pdfName: r.pdf_name,
      pdfStorageKey: r.pdf_storage_key,
      lines: byTitre.get(r.id) ?? [],
    }));
  }
}

/** A titre as a PES_AsapRetour names it. */
export interface AsapTitreRef {
  id: string;
  year: number;
  number: number;
  budgetId: string;
  budgetCode: string;
  idColl: string;
}
