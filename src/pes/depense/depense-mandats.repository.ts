import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** A mandat as it travelled in a dépense bordereau, and what Hélios said of it. */
export interface DepenseMandatRow {
  id: string;
  bordereauId: string;
  bordereauNumber: number;
  bordereauStatus: string;
  fileName: string;
  mandateId: string;
  invoiceId: string;
  structureId: string;
  year: number;
  idPce: number;
  mandateNumber: string;
  invoiceNumber: string;
  supplierId: string;
  supplierName: string;
  netAmount: string;
  dueDate: string | null;
  state: DepenseMandatState;
  heliosCode: string | null;
  heliosReason: string | null;
  stateAt: Date | null;
}

export type DepenseMandatState = 'ENVOYE' | 'ACCEPTE' | 'REJETE' | 'PRIS_EN_CHARGE' | 'EN_INSTANCE' | 'SOLDE';

export const DEPENSE_STATE_LABELS: Readonly<Record<DepenseMandatState, string>> = {
  ENVOYE: 'Envoyé à Hélios',
  ACCEPTE: 'Accepté (acquittement)',
  REJETE: 'Rejeté par Hélios',
  PRIS_EN_CHARGE: 'Pris en charge par le comptable',
  EN_INSTANCE: 'En instance chez le comptable',
  SOLDE: 'Soldé',
};

const ROW = `SELECT d.id, d.bordereau_id AS "bordereauId", b.number AS "bordereauNumber", b.status AS "bordereauStatus", b.file_name AS "fileName",
                    d.mandate_id AS "mandateId", d.invoice_id AS "invoiceId", d.structure_id AS "structureId", d.year, d.id_pce AS "idPce",
                    d.mandate_number AS "mandateNumber", d.invoice_number AS "invoiceNumber", d.supplier_id AS "supplierId",
                    d.supplier_name AS "supplierName", d.net_amount::text AS "netAmount", d.due_date::text AS "dueDate", d.state,
                    d.helios_code AS "heliosCode", d.helios_reason AS "heliosReason", d.state_at AS "stateAt"
               FROM pes_depense_mandats d JOIN pes_bordereaux b ON b.id = d.bordereau_id`;

function normalise(r: DepenseMandatRow): DepenseMandatRow {
  return { ...r, year: Number(r.year), idPce: Number(r.idPce), bordereauNumber: Number(r.bordereauNumber) };
}

/** One payment line read from a PES_DepenseRetour, with the mandat it settles. */
export interface StoredPayment {
  id: string;
  invoiceId: string;
  structureId: string;
  supplierId: string;
  supplierName: string;
  invoiceNumber: string;
  mandateNumber: string;
  netAmount: string;
  dueDate: string | null;
  idLigne: number;
  cessOpp: string | null;
  orgEma: string;
  paidOn: string;
  amount: string;
}

/** Every query of the dépense tables (pes_depense_*), and nothing else. */
@Injectable()
export class DepenseMandatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The last time each of these mandates travelled (latest bordereau first), by mandate id. */
  async latestByMandate(mandateIds: string[], em?: EntityManager): Promise<Map<string, DepenseMandatRow>> {
    if (!mandateIds.length) return new Map();
    const rows: DepenseMandatRow[] = await (em ?? this.dataSource).query(
      `SELECT DISTINCT ON (x."mandateId") * FROM (${ROW} WHERE d.mandate_id = ANY($1::uuid[])) x
        ORDER BY x."mandateId", x.year DESC, x."bordereauNumber" DESC`,
      [mandateIds],
    );
    return new Map(rows.map((r) => [r.mandateId, normalise(r)]));
  }

  /** How many bordereaux each of these mandates already travelled in (a resent mandat's PJ need new IdUniques). */
  async travels(mandateIds: string[]): Promise<Map<string, number>> {
    if (!mandateIds.length) return new Map();
    const rows: Array<{ id: string; n: number }> = await this.dataSource.query(
      `SELECT mandate_id AS id, count(*)::int AS n FROM pes_depense_mandats WHERE mandate_id = ANY($1::uuid[]) GROUP BY mandate_id`,
      [mandateIds],
    );
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  /** Rows still waiting for Hélios' acquit (ENVOYE), to be settled from the bordereaux' acquits. */
  async awaitingAcquit(budgetId: string): Promise<DepenseMandatRow[]> {
    const rows: DepenseMandatRow[] = await this.dataSource.query(`${ROW} WHERE d.budget_id = $1 AND d.state = 'ENVOYE' AND b.status <> 'GENERE'`, [budgetId]);
    return rows.map(normalise);
  }

  async listByBudget(budgetId: string): Promise<DepenseMandatRow[]> {
    const rows: DepenseMandatRow[] = await this.dataSource.query(`${ROW} WHERE d.budget_id = $1 ORDER BY d.year DESC, b.number DESC, d.id_pce`, [budgetId]);
    return rows.map(normalise);
  }

  async listByBordereau(bordereauId: string): Promise<DepenseMandatRow[]> {
    const rows: DepenseMandatRow[] = await this.dataSource.query(`${ROW} WHERE d.bordereau_id = $1 ORDER BY d.id_pce`, [bordereauId]);
    return rows.map(normalise);
  }

  /** The mandat Hélios names (exercice, IdPce) in the bordereau it names, else its latest bordereau of that exercice. */
  async findPiece(em: EntityManager, budgetId: string, year: number, bordereau: number, idPce: number): Promise<DepenseMandatRow | null> {
    const rows: DepenseMandatRow[] = await em.query(
      `${ROW} WHERE d.budget_id = $1 AND d.year = $2 AND d.id_pce = $3 ORDER BY (b.number = $4) DESC, b.number DESC LIMIT 1`,
      [budgetId, year, idPce, bordereau],
    );
    return rows.length ? normalise(rows[0]) : null;
  }

  /** Mandates already travelling (not rejected) among these: a concurrent generation took them. */
  async travelling(em: EntityManager, mandateIds: string[]): Promise<Set<string>> {
    const latest = await this.latestByMandate(mandateIds, em);
    return new Set([...latest.values()].filter((r) => r.state !== 'REJETE').map((r) => r.mandateId));
  }

  async insert(
    em: EntityManager,
    row: Omit<DepenseMandatRow, 'id' | 'bordereauNumber' | 'bordereauStatus' | 'fileName' | 'state' | 'heliosCode' | 'heliosReason' | 'stateAt'> & { budgetId: string },
  ): Promise<void> {
    await em.query(
      `INSERT INTO pes_depense_mandats (bordereau_id, budget_id, mandate_id, invoice_id, structure_id, year, id_pce, mandate_number, invoice_number,
                                        supplier_id, supplier_name, net_amount, due_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [row.bordereauId, row.budgetId, row.mandateId, row.invoiceId, row.structureId, row.year, row.idPce, row.mandateNumber, row.invoiceNumber,
        row.supplierId, row.supplierName, row.netAmount, row.dueDate],
    );
  }

  async setState(em: EntityManager | null, id: string, state: DepenseMandatState, at: Date, code: string | null, reason: string | null): Promise<void> {
    await (em ?? this.dataSource).query(
      `UPDATE pes_depense_mandats SET state = $2, state_at = $3, helios_code = $4, helios_reason = $5 WHERE id = $1`,
      [id, state, at, code, reason],
    );
  }

  /** Records a retour file once (sha256); false when it was already read. */
  async insertRetour(em: EntityManager, r: { sha256: string; nomFic: string | null; budgetId: string; at: Date; report: unknown }): Promise<string | null> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO pes_depense_retours (sha256, nom_fic, budget_id, received_at, report) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sha256) DO NOTHING RETURNING id`,
      [r.sha256, r.nomFic, r.budgetId, r.at, JSON.stringify(r.report)],
    );
    return rows.length ? rows[0].id : null;
  }

  async updateRetourReport(em: EntityManager, id: string, report: unknown): Promise<void> {
    await em.query(`UPDATE pes_depense_retours SET report = $2 WHERE id = $1`, [id, JSON.stringify(report)]);
  }

  async insertLine(
    em: EntityManager,
    l: { retourId: string; depenseMandatId: string; invoiceId: string; idLigne: number; etatPce: string; etatLig: string | null; natPce: string | null; cessOpp: string | null; mtHt: string | null; mtTva: string | null; obsEtat: string | null },
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO pes_depense_retour_lines (retour_id, depense_mandat_id, invoice_id, id_ligne, etat_pce, etat_lig, nat_pce, cess_opp, mt_ht, mt_tva, obs_etat)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [l.retourId, l.depenseMandatId, l.invoiceId, l.idLigne, l.etatPce, l.etatLig, l.natPce, l.cessOpp, l.mtHt, l.mtTva, l.obsEtat],
    );
    return row.id;
  }

  /**
   * Records a payment unless the same one (invoice, line, origin, date, amount) came in an earlier retour: a periodic
   * retour may list again what an earlier one said. True when it is new.
   */
  async insertPayment(
    em: EntityManager,
    p: { retourLineId: string; invoiceId: string; structureId: string; supplierId: string; position: number; idLigne: number; orgEma: string; paidOn: string; amount: string },
  ): Promise<boolean> {
    const seen: unknown[] = await em.query(
      `SELECT 1 FROM pes_depense_payments p JOIN pes_depense_retour_lines l ON l.id = p.retour_line_id
        WHERE p.invoice_id = $1 AND l.id_ligne = $2 AND p.org_ema = $3 AND p.paid_on = $4 AND p.amount = $5 AND p.retour_line_id <> $6 LIMIT 1`,
      [p.invoiceId, p.idLigne, p.orgEma, p.paidOn, p.amount, p.retourLineId],
    );
    if (seen.length) return false;
    await em.query(
      `INSERT INTO pes_depense_payments (retour_line_id, invoice_id, structure_id, supplier_id, position, org_ema, paid_on, amount)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [p.retourLineId, p.invoiceId, p.structureId, p.supplierId, p.position, p.orgEma, p.paidOn, p.amount],
    );
    return true;
  }

  /** Payments of these structures dated within [from, to] (optionally one supplier), with their mandat's facts. */
  async paymentsBetween(structureIds: readonly string[], from: string, to: string, supplierId?: string): Promise<StoredPayment[]> {
    return this.payments(`p.structure_id = ANY($1::uuid[]) AND p.paid_on BETWEEN $2 AND $3 AND ($4::text IS NULL OR p.supplier_id = $4)`, [structureIds, from, to, supplierId ?? null]);
  }

  /** Every payment and émargement known for these invoices (all retours). */
  async paymentsOf(invoiceIds: string[]): Promise<StoredPayment[]> {
    if (!invoiceIds.length) return [];
    return this.payments(`p.invoice_id = ANY($1::uuid[])`, [invoiceIds]);
  }

  /** The CessOpp Hélios last gave each line of these invoices (`01` none, `02` partial, `03` total). */
  async cessionsOf(invoiceIds: string[]): Promise<Array<{ invoiceId: string; idLigne: number; cessOpp: string }>> {
    if (!invoiceIds.length) return [];
    const rows: Array<{ invoiceId: string; idLigne: number; cessOpp: string }> = await this.dataSource.query(
      `SELECT DISTINCT ON (l.invoice_id, l.id_ligne) l.invoice_id AS "invoiceId", l.id_ligne AS "idLigne", l.cess_opp AS "cessOpp"
         FROM pes_depense_retour_lines l JOIN pes_depense_retours r ON r.id = l.retour_id
        WHERE l.invoice_id = ANY($1::uuid[]) AND l.cess_opp IS NOT NULL
        ORDER BY l.invoice_id, l.id_ligne, r.received_at DESC`,
      [invoiceIds],
    );
    return rows.map((r) => ({ ...r, idLigne: Number(r.idLigne) }));
  }

  private async payments(where: string, params: unknown[]): Promise<StoredPayment[]> {
    const rows: StoredPayment[] = await this.dataSource.query(
      `SELECT p.id, p.invoice_id AS "invoiceId", p.structure_id AS "structureId", p.supplier_id AS "supplierId", d.supplier_name AS "supplierName",
              d.invoice_number AS "invoiceNumber", d.mandate_number AS "mandateNumber", d.net_amount::text AS "netAmount", d.due_date::text AS "dueDate",
              l.id_ligne AS "idLigne", l.cess_opp AS "cessOpp", p.org_ema AS "orgEma", p.paid_on::text AS "paidOn", p.amount::text AS amount
         FROM pes_depense_payments p JOIN pes_depense_retour_lines l ON l.id = p.retour_line_id
         JOIN pes_depense_mandats d ON d.id = l.depense_mandat_id
        WHERE ${where}
        ORDER BY p.paid_on, p.invoice_id, l.id_ligne, p.position`,
      params,
    );
    return rows.map((r) => ({ ...r, idLigne: Number(r.idLigne) }));
  }


}
