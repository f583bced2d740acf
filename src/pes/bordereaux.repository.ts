import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BordereauEntity, BordereauError } from '@/pes/bordereau.entity';
import type { PesDomain } from '@/pes/pes-envelope.writer';

/** Bordereaux (generated PES_Aller files) of every domain: every query of them goes through here. */
@Injectable()
export class BordereauxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Bordereau id → IdBord, for a budget. */
  async numbersOf(budgetId: string): Promise<Map<string, number>> {
    const rows: Array<{ id: string; number: number }> = await this.dataSource.query(`SELECT id, number FROM pes_bordereaux WHERE budget_id = $1`, [budgetId]);
    return new Map(rows.map((b) => [b.id, Number(b.number)]));
  }

  findById(id: string): Promise<BordereauEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(null);
    return this.dataSource.getRepository(BordereauEntity).findOne({ where: { id } });
  }

  listByBudget(budgetId: string, domain?: PesDomain): Promise<BordereauEntity[]> {
    return this.dataSource.getRepository(BordereauEntity).find({ where: { budgetId, ...(domain ? { domain } : {}) }, order: { domain: 'DESC', year: 'ASC', number: 'ASC' } });
  }

  /** The bordereau IdBord `number` of a budget (latest exercice first when `year` is not given). */
  findByNumber(budgetId: string, number: number, year?: number, domain: PesDomain = 'recette'): Promise<BordereauEntity | null> {
    const qb = this.dataSource
      .getRepository(BordereauEntity)
      .createQueryBuilder('b')
      .where('b.budget_id = :id AND b.number = :n AND b.domain = :d', { id: budgetId, n: number, d: domain });
    if (year) qb.andWhere('b.year = :y', { y: year });
    return qb.orderBy('b.year', 'DESC').getOne();
  }

  async storageKeys(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; storage_key: string }> = await this.dataSource.query(`SELECT id, storage_key FROM pes_bordereaux WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((k) => [k.id, k.storage_key]));
  }

  async insert(em: EntityManager, b: Omit<BordereauEntity, 'id' | 'status' | 'acquitAt' | 'acquitCode' | 'acquitReason'>): Promise<string> {
    const [row] = await em.query(
      `INSERT INTO pes_bordereaux (budget_id, domain, year, number, status, nom_fic, file_name, storage_key, sha256, size, titre_count, amount_ht, amount_tva, generated_at)
       VALUES ($1, $2, $3, $4, 'GENERE', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [b.budgetId, b.domain, b.year, b.number, b.nomFic, b.fileName, b.storageKey, b.sha256, b.size, b.titreCount, b.amountHt, b.amountTva, b.generatedAt],
    );
    return row.id;
  }

  /** The PJ IdUniques a bordereau's file carries (unique for the comptable: a duplicate fails the generation). */
  async insertPjs(em: EntityManager, bordereauId: string, pjs: Array<{ idUnique: string; piece: number; typePJ: string | null }>): Promise<void> {
    if (!pjs.length) return;
    await em.query(
      `INSERT INTO pes_bordereau_pjs (id_unique, bordereau_id, piece, type_pj)
       SELECT u.id_unique, $1, u.piece, u.type_pj FROM unnest($2::varchar[], $3::int[], $4::varchar[]) AS u(id_unique, piece, type_pj)`,
      [bordereauId, pjs.map((p) => p.idUnique), pjs.map((p) => p.piece), pjs.map((p) => p.typePJ)],
    );
  }

  /** The budget an acquit's EnTetePES names (IdColl, CodCol, CodBud). */
  async findBudgetByHeader(idColl: string, codCol: string, codBud: string): Promise<{ id: string; code: string; idColl: string } | null> {
    const [row] = await this.dataSource.query(`SELECT id, code, id_coll AS "idColl" FROM pes_budgets WHERE id_coll = $1 AND cod_col = $2 AND cod_bud = $3`, [idColl, codCol, codBud]);
    return row ?? null;
  }

  /** Bordereaux of a budget carried by the file NomFic (any domain). */
  async findByNomFic(em: EntityManager, budgetId: string, nomFic: string): Promise<AcquitTarget[]> {
    return em.query(`${TARGET_SELECT} WHERE budget_id = $1 AND nom_fic = $2 ORDER BY domain, year, number`, [budgetId, nomFic]);
  }

  async findTarget(em: EntityManager, budgetId: string, domain: PesDomain, year: number, number: number): Promise<AcquitTarget | null> {
    const [row] = await em.query(`${TARGET_SELECT} WHERE budget_id = $1 AND domain = $2 AND year = $3 AND number = $4`, [budgetId, domain, year, number]);
    return row ?? null;
  }

  /** The bordereau whose file carried the PJ `idUnique` (a domain-4 acquit element). */
  async findByPj(em: EntityManager, budgetId: string, idUnique: string): Promise<AcquitTarget | null> {
    const [row] = await em.query(
      `${TARGET_SELECT.replace('FROM pes_bordereaux', 'FROM pes_bordereaux b JOIN pes_bordereau_pjs p ON p.bordereau_id = b.id')} WHERE b.budget_id = $1 AND p.id_unique = $2`,
      [budgetId, idUnique],
    );
    return row ?? null;
  }

  /** Records that the acquit `sha256` was applied; false when it already was. */
  async recordAcquit(em: EntityManager, sha256: string, budgetId: string, nomFic: string | null, at: Date): Promise<boolean> {
    const rows = await em.query(`INSERT INTO pes_acquits (sha256, budget_id, nom_fic, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING sha256`, [sha256, budgetId, nomFic, at]);
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  async setAcquitState(em: EntityManager, id: string, status: 'ACCEPTE' | 'REJETE', at: Date, code: string | null, reason: string | null): Promise<void> {
    await em.query(`UPDATE pes_bordereaux SET status = $2, acquit_at = $3, acquit_code = $4, acquit_reason = $5 WHERE id = $1`, [id, status, at, code, reason]);
  }

  async insertErrors(em: EntityManager, bordereauId: string, sha256: string, nomFic: string | null, at: Date, errors: Array<Omit<BordereauError, 'acquitNomFic' | 'receivedAt' | 'domaineLabel'>>): Promise<void> {
    for (const [position, e] of errors.entries()) {
      await em.query(
        `INSERT INTO pes_bordereau_errors (bordereau_id, acquit_sha256, acquit_nom_fic, position, domaine, id_unique, piece, line, ano_code, helios_code, message, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
        [bordereauId, sha256, nomFic, position, e.domaine, e.idUnique, e.piece, e.line, e.anoCode, e.heliosCode, e.message, at],
      );
    }
  }

  /** Every Hélios error kept for these bordereaux, in the order read. */
  async errorsOf(ids: string[]): Promise<Map<string, Array<Omit<BordereauError, 'domaineLabel'>>>> {
    const out = new Map<string, Array<Omit<BordereauError, 'domaineLabel'>>>();
    if (!ids.length) return out;
    const rows: Array<Record<string, string | Date | null>> = await this.dataSource.query(
      `SELECT * FROM pes_bordereau_errors WHERE bordereau_id = ANY($1::uuid[]) ORDER BY seq`,
      [ids],
    );
    for (const r of rows) {
      const list = out.get(r.bordereau_id as string) ?? [];
      list.push({
        domaine: r.domaine as string, idUnique: r.id_unique as string | null, piece: r.piece as string | null, line: r.line as string | null,
        anoCode: r.ano_code as string | null, heliosCode: r.helios_code as string | null, message: r.message as string,
        acquitNomFic: r.acquit_nom_fic as string | null, receivedAt: new Date(r.received_at as Date),
      });
      out.set(r.bordereau_id as string, list);
    }
    return out;
  }
}

/** A bordereau as an acquit element names it. */
export interface AcquitTarget {
  id: string;
  domain: PesDomain;
  year: number;
  number: number;
  fileName: string;
  nomFic: string;
}
const TARGET_SELECT = `SELECT id, domain, year, number, file_name AS "fileName", nom_fic AS "nomFic" FROM pes_bordereaux`;
