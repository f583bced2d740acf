import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { AcquitTarget, BordereauxRepository } from '@/pes/bordereaux.repository';
import { AcquitElement, BORDEREAU_DOMAINS, FILE_DOMAINS, readPesAcquit } from '@/pes/pes-acquit.reader';
import type { PesDomain } from '@/pes/pes-envelope.writer';

export interface AcquitBordereauRef {
  domain: PesDomain;
  year: number;
  number: number;
  fileName: string;
}

export interface AcquitResult {
  nomFic: string | null;
  budget: string | null;
  /** The EnTetePES looked up (said when no budget has these codes). */
  lookedUp: { idColl: string | null; codCol: string | null; codBud: string | null };
  /** French, when nothing could be applied (unknown budget, file already read). */
  message: string | null;
  alreadyApplied: boolean;
  elements: Array<AcquitElement & { matched: boolean; bordereaux: AcquitBordereauRef[]; note: string | null }>;
  /** Each bordereau concerned, with the state this acquit gives it. */
  bordereaux: Array<AcquitBordereauRef & { id: string; status: 'ACCEPTE' | 'REJETE'; errors: number }>;
  /** Bordereaux whose state was written. */
  updated: number;
}

interface Verdict {
  target: AcquitTarget;
  rejected: boolean;
  errors: Array<{ domaine: string; idUnique: string | null; piece: string | null; line: string | null; anoCode: string | null; heliosCode: string | null; message: string }>;
}

/**
 * Reads a PES_ACQUIT and marks our bordereaux (any domain) accepted or rejected by Hélios. The file is found by its
 * NomFic and EnTetePES (IdColl/CodCol/CodBud); elements are applied in document order:
 * - DomaineAck 0–3 (technique, signatures): the whole file — every bordereau it carried;
 * - 5 dépense / 6 recette: the bordereau NumBord/ExerciceBord of that domain;
 * - 4 PJ: the bordereau whose file carried the PJ IdUnique.
 * Within one acquit a rejection is never undone by a later acceptance, every error is kept (piece, line, Hélios
 * number). A later acquit (another file) decides again, the errors already kept stay; the same acquit read twice
 * changes nothing.
 */
@Injectable()
export class PesAcquitService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: BordereauxRepository,
    private readonly clock: Clock,
  ) {}

  async applyFile(path: string): Promise<AcquitResult> {
    return this.apply(await readFile(path));
  }

  /** `guard` is called with the budget the acquittement names, before anything changes (REST access rights). */
  async apply(content: Buffer, guard?: (budget: { code: string; idColl: string }) => Promise<void>): Promise<AcquitResult> {
    const acquit = readPesAcquit(content);
    const lookedUp = { idColl: acquit.idColl, codCol: acquit.codCol, codBud: acquit.codBud };
    const budget = await this.repo.findBudgetByHeader(acquit.idColl ?? '', acquit.codCol ?? '', acquit.codBud ?? '');
    const result: AcquitResult = { nomFic: acquit.nomFic, budget: budget?.code ?? null, lookedUp, message: null, alreadyApplied: false, elements: [], bordereaux: [], updated: 0 };
    if (!budget) {
      result.message = `Budget inconnu : aucun budget paramétré avec IdColl ${acquit.idColl ?? '(absent)'}, CodCol ${acquit.codCol ?? '(absent)'}, CodBud ${acquit.codBud ?? '(absent)'} (EnTetePES de l'acquittement) ; rien n'a été modifié.`;
      result.elements = acquit.elements.map((e) => ({ ...e, matched: false, bordereaux: [], note: 'budget inconnu' }));
      return result;
    }
    if (guard) await guard(budget);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const now = this.clock.now();
    await this.uow.run(async (em) => {
      const verdicts = new Map<string, Verdict>();
      const inFile = acquit.nomFic ? await this.repo.findByNomFic(em, budget.id, acquit.nomFic) : [];
      for (const e of acquit.elements) {
        const { targets, note } = await this.targets(em, budget.id, e, inFile, acquit.nomFic);
        // Only the bordereau's own domain (5, 6) accepts it; an accepted file (0–3) or PJ (4) says nothing of it.
        const decides = !e.accepted || Boolean(BORDEREAU_DOMAINS[e.domaine]);
        for (const target of decides ? targets : []) {
          const v = verdicts.get(target.id) ?? { target, rejected: false, errors: [] };
          if (!e.accepted) {
            v.rejected = true;
            const errs = e.errors.length ? e.errors : [{ piece: null, line: null, anoCode: null, heliosCode: null, message: 'Rejet sans motif précisé' }];
            for (const x of errs) v.errors.push({ domaine: e.domaine, idUnique: e.idUnique, piece: x.piece, line: x.line, anoCode: x.anoCode, heliosCode: x.heliosCode, message: e.idUnique ? `PJ ${e.idUnique} : ${x.message}` : x.message });
          }
          verdicts.set(target.id, v);
        }
        result.elements.push({ ...e, matched: targets.length > 0, bordereaux: targets.map(ref), note });
      }
      if (!(await this.repo.recordAcquit(em, sha256, budget.id, acquit.nomFic, now))) {
        result.alreadyApplied = true;
        result.message = `Acquittement ${acquit.nomFic ?? ''} déjà lu : rien n'a été modifié.`;
      }
      for (const v of verdicts.values()) {
        const status = v.rejected ? 'REJETE' : 'ACCEPTE';
        result.bordereaux.push({ id: v.target.id, ...ref(v.target), status, errors: v.errors.length });
        if (result.alreadyApplied) continue;
        const code = v.errors.find((x) => x.heliosCode)?.heliosCode ?? v.errors.find((x) => x.anoCode)?.anoCode ?? null;
        await this.repo.setAcquitState(em, v.target.id, status, now, code, v.rejected ? v.errors.map((x) => x.message).join(' ; ') : null);
        await this.repo.insertErrors(em, v.target.id, sha256, acquit.nomFic, now, v.errors);
        result.updated++;
      }
    });
    return result;
  }

  /** The bordereaux an element is about, or why none (French). */
  private async targets(em: EntityManager, budgetId: string, e: AcquitElement, inFile: AcquitTarget[], nomFic: string | null): Promise<{ targets: AcquitTarget[]; note: string | null }> {
    if (FILE_DOMAINS.has(e.domaine)) {
      return inFile.length ? { targets: inFile, note: null } : { targets: [], note: `aucun fichier NomFic ${nomFic ?? '(absent)'} généré pour ce budget` };
    }
    const domain = BORDEREAU_DOMAINS[e.domaine];
    if (domain) {
      if (!e.exercice || !e.bordereau) return { targets: [], note: 'NumBord / ExerciceBord absents' };
      // The bordereau of this file first (NomFic); else the budget's (a file named otherwise, generated before v5.17).
      const own = inFile.find((b) => b.domain === domain && b.year === e.exercice && b.number === e.bordereau);
      const t = own ?? (await this.repo.findTarget(em, budgetId, domain, e.exercice, e.bordereau));
      return t ? { targets: [t], note: null } : { targets: [], note: `bordereau ${e.exercice}-${e.bordereau} (${domain}) inconnu pour ce budget` };
    }
    if (e.domaine === '4') {
      if (!e.idUnique) return { targets: [], note: 'IdUnique absent' };
      const t = await this.repo.findByPj(em, budgetId, e.idUnique);
      return t ? { targets: [t], note: null } : { targets: [], note: `PJ ${e.idUnique} inconnue pour ce budget` };
    }
    return { targets: [], note: `domaine ${e.domaineLabel} non suivi par Passerelle` };
  }
}

function ref(t: AcquitTarget): AcquitBordereauRef {
  return { domain: t.domain, year: Number(t.year), number: Number(t.number), fileName: t.fileName };
}
