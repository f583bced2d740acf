import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { readPesAsapRetour } from '@/pes/pes-asap-retour.reader';
import type { AsapEventKind } from '@/pes/pes-asap-retour.types';
import { AsapTitreRef, TitresRepository } from '@/pes/titres.repository';

export interface AsapRetourResult {
  /** ASAPs read, news recorded (0 when the file was already read), ASAPs no titre matched. */
  read: number;
  recorded: number;
  unmatched: number;
  items: Array<{
    idUnique: string;
    kind: AsapEventKind;
    /** « 2024-3 » and its budget, null when no titre carried this ASAP. */
    titre: string | null;
    budget: string | null;
    /** French: what Hélios says of the ASAP, or why nothing matched. */
    summary: string;
  }>;
}

const frDate = (iso: string | null) => (iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '?');

/**
 * Reads a PES_AsapRetour: each ASAP is found by IdUniquePJASAP (the PJ 006 that carried it, pes_bordereau_pjs),
 * else by Exer/IdBord/IdPce in the budget the file's EnTetePES names; its news is kept on the titre (GET /api/titres
 * `asapRetour`: postalisation, notification and first-read dates, or rejection with its motif).
 */
@Injectable()
export class PesAsapRetourService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly titres: TitresRepository,
    private readonly bordereaux: BordereauxRepository,
    private readonly clock: Clock,
  ) {}

  applyFile(path: string): Promise<AsapRetourResult> {
    return readFile(path).then((b) => this.apply(b));
  }

  /** `guard` is called with each budget concerned before anything is written (REST access rights). */
  async apply(content: Buffer, guard?: (budget: { code: string; idColl: string }) => Promise<void>): Promise<AsapRetourResult> {
    const retour = readPesAsapRetour(content);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const budget = retour.idColl && retour.codCol && retour.codBud ? await this.bordereaux.findBudgetByHeader(retour.idColl, retour.codCol, retour.codBud) : null;
    const found: Array<AsapTitreRef | null> = [];
    for (const a of retour.items) {
      const fallback = budget && a.exercice && a.bordereau && a.piece ? { budgetId: budget.id, year: a.exercice, bordereau: a.bordereau, piece: a.piece } : undefined;
      found.push(a.idUnique ? await this.titres.findByAsapPj(a.idUnique, fallback) : null);
    }
    if (guard) {
      const seen = new Set<string>();
      for (const t of found) {
        if (!t || seen.has(t.budgetId)) continue;
        seen.add(t.budgetId);
        await guard({ code: t.budgetCode, idColl: t.idColl });
      }
    }
    const receivedAt = this.clock.now().toISOString();
    const result: AsapRetourResult = { read: retour.items.length, recorded: 0, unmatched: 0, items: [] };
    await this.uow.run(async (em) => {
      for (const [i, a] of retour.items.entries()) {
        const t = found[i];
        if (!t) {
          result.unmatched++;
          result.items.push({ idUnique: a.idUnique, kind: a.kind, titre: null, budget: null, summary: `ASAP ${a.idUnique} : aucun titre émis par Passerelle ne l'a porté (IdUniquePJASAP, puis exercice ${a.exercice ?? '?'} bordereau ${a.bordereau ?? '?'} pièce ${a.piece ?? '?'})` });
          continue;
        }
        if (await this.titres.insertAsapEvent(em, t.id, a.idUnique, { ...a, receivedAt }, sha256, a.position)) result.recorded++;
        const summary =
          a.kind === 'POSTALISATION' ? `remis à La Poste le ${frDate(a.postedOn)}`
          : a.kind === 'NOTIFICATION' ? `notifié par mail le ${frDate(a.notifiedOn)}${a.firstReadOn ? `, lu pour la première fois le ${frDate(a.firstReadOn)}` : ''}`
          : `rejeté le ${frDate(a.rejectedOn)} : ${a.rejectionReason}${a.relance ? ' (Hélios le présente à nouveau sans sa PJ complémentaire)' : ''}`;
        result.items.push({ idUnique: a.idUnique, kind: a.kind, titre: `${t.year}-${t.number}`, budget: t.budgetCode, summary });
      }
    });
    return result;
  }
}
