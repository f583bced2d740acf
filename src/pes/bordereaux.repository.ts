import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BordereauEntity } from '@/pes/bordereau.entity';

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

  listByBudget(budgetId: string): Promise<BordereauEntity[]> {
    return this.dataSource.getRepository(BordereauEntity).find({ where: { budgetId }, order: { year: 'ASC', number: 'ASC' } });
  }

  /** The bordereau IdBord `number` of a budget (latest exercice first when `year` is not given). */
  findByNumber(budgetId: string, number: number, year?: number): Promise<BordereauEntity | null> {
    const qb = this.dataSource.getRepository(BordereauEntity).createQueryBuilder('b').where('b.budget_id = :id AND b.number = :n', { id: budgetId, n: number });
    if (year) qb.andWhere('b.year = :y', { y: year });
    return qb.orderBy('b.year', 'DESC').getOne();
  }

  async storageKeys(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; storage_key: string }> = await this.dataSource.query(`SELECT id, storage_key FROM pes_bordereaux WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((k) => [k.id, k.storage_key]));
  }

  async insert(em: EntityManager, b: Omit<BordereauEntity, 'id' | 'status' | 'acquitAt' | 'acquitCode' | 'acquitReason'>): Promise<string> {
    const [row] = await em.query(
      `INSERT INTO pes_bordereaux (budget_id, year, number, status, file_name, storage_key, sha256, size, titre_count, amount_ht, amount_tva, generated_at)
       VALUES ($1, $2, $3, 'GENERE', $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [b.budgetId, b.year, b.number, b.fileName, b.storageKey, b.sha256, b.size, b.titreCount, b.amountHt, b.amountTva, b.generatedAt],
    );
    return row.id;
  }
}
