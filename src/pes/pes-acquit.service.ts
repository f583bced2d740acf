import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { AcquitElement, readPesAcquit } from '@/pes/pes-acquit.reader';

export interface AcquitResult {
  nomFic: string | null;
  budget: string | null;
  elements: Array<AcquitElement & { matched: boolean; status?: 'ACCEPTE' | 'REJETE' }>;
  /** Bordereaux whose status changed. */
  updated: number;
}

const ASAP_ID = /^ASAP(\d{4})B(\d+)T(\d+)$/;

/**
 * Reads a PES_ACQUIT and marks our recette bordereaux accepted or rejected by Hélios, with the reason.
 * A rejected ASAP attachment (domaine 4, IdUnique ASAP…) marks its bordereau rejected too.
 */
@Injectable()
export class PesAcquitService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async applyFile(path: string): Promise<AcquitResult> {
    return this.apply(await readFile(path));
  }

  /** `guard` is called with the budget the acquittement names, before anything changes (REST access rights). */
  async apply(content: Buffer, guard?: (budget: { code: string; idColl: string }) => Promise<void>): Promise<AcquitResult> {
    const acquit = readPesAcquit(content);
    const [budget] = await this.dataSource.query(
      `SELECT id, code, id_coll AS "idColl" FROM pes_budgets WHERE id_coll = $1 AND cod_col = $2 AND cod_bud = $3`,
      [acquit.idColl ?? '', acquit.codCol ?? '', acquit.codBud ?? ''],
    );
    if (budget && guard) await guard(budget);
    const result: AcquitResult = { nomFic: acquit.nomFic, budget: budget?.code ?? null, elements: [], updated: 0 };
    await this.uow.run(async (em) => {
      for (const e of acquit.elements) {
        let target: { year: number; number: number } | null = null;
        if (e.domaine === '6' && e.exercice && e.bordereau) target = { year: e.exercice, number: e.bordereau };
        const m = e.domaine === '4' && e.idUnique ? ASAP_ID.exec(e.idUnique) : null;
        if (m && !e.accepted) target = { year: Number(m[1]), number: Number(m[2]) };
        if (!budget || !target) {
          result.elements.push({ ...e, matched: Boolean(budget && m) });
          continue;
        }
        const status = e.accepted ? 'ACCEPTE' : 'REJETE';
        const reason = e.accepted ? null : m ? `PJ ${e.idUnique} : ${e.reason}` : e.reason;
        // A rejection is never overwritten by the acceptance of another element of the same bordereau.
        const rows = await em.query(
          `UPDATE pes_bordereaux SET status = $4, acquit_at = $5, acquit_code = $6, acquit_reason = $7
           WHERE budget_id = $1 AND year = $2 AND number = $3 AND NOT ($4 = 'ACCEPTE' AND status = 'REJETE' AND acquit_at = $5)
           RETURNING id`,
          [budget.id, target.year, target.number, status, this.clock.now(), e.code, reason],
        );
        const updated = (Array.isArray(rows[0]) ? rows[0] : rows).length;
        result.updated += updated;
        result.elements.push({ ...e, matched: updated > 0, ...(updated ? { status } : {}) });
      }
    });
    return result;
  }
}
