import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { SequenceService } from '@/common/sequences/sequence.service';
import { FileStore } from '@/storage/file-store.port';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { nomFicScope, PesDomain, pesNomFic, writePesAller } from '@/pes/pes-envelope.writer';
import { FastXmlWriter, XmlSink } from '@/pes/pes-xml.writer';

/** Sequence scope of bordereau numbers (IdBord), gapless per budget, domain and year. */
export function bordereauScope(budgetId: string, domain: PesDomain = 'recette'): string {
  return domain === 'recette' ? `pes-bordereau:${budgetId}` : `pes-bordereau-${domain}:${budgetId}`;
}

export interface BordereauFileSpec {
  budget: PesBudgetEntity;
  domain: PesDomain;
  year: number;
  /** DteStr / DteBordEm (YYYY-MM-DD). */
  emittedOn: string;
  /** Pieces of the bordereau (titres or mandats) and its totals, kept on the row. */
  pieceCount: number;
  amountHt: string;
  amountTva: string;
  /** Every PJ the file carries: a domain-4 acquit names a PJ by IdUnique, this is how it finds its bordereau. */
  pjs: Array<{ idUnique: string; piece: number; typePJ: string | null }>;
}

export interface RecordedBordereau {
  id: string;
  /** IdBord allocated for the bordereau. */
  number: number;
  nomFic: string;
  fileName: string;
  sha256: string;
  size: number;
}

/**
 * One bordereau = one PES_Aller file, whatever its domain: allocates IdBord (per budget, domain, year) and NomFic
 * (PESALR2_<SIRET>_<aammjj>_<n>), writes Enveloppe + EnTetePES around the body the caller gives, stores the file,
 * records the bordereau (GENERE) and the IdUniques of its PJs. Runs inside the caller's transaction: a rollback
 * gives both numbers back.
 */
@Injectable()
export class PesBordereauFilesService {
  constructor(
    private readonly sequences: SequenceService,
    private readonly store: FileStore,
    private readonly repo: BordereauxRepository,
    private readonly clock: Clock,
  ) {}

  async write(em: EntityManager, spec: BordereauFileSpec, body: (w: XmlSink, bordereau: { number: number; nomFic: string }) => void): Promise<RecordedBordereau> {
    const c = spec.budget.settings.collectivite;
    const number = await this.sequences.next(em, bordereauScope(spec.budget.id, spec.domain), spec.year);
    const nf = nomFicScope(c.siret, spec.emittedOn);
    const nomFic = pesNomFic(c.siret, spec.emittedOn, await this.sequences.next(em, nf.scope, nf.year));
    const fileName = `${nomFic}.xml`;
    const temp = await this.store.tempPath('.xml');
    let stored;
    try {
      const fd = openSync(temp, 'w');
      try {
        // Streamed to disk: a 10,000-piece file never sits whole in memory.
        const w = new FastXmlWriter((chunk) => writeSync(fd, chunk));
        writePesAller(w, { collectivite: c, nomFic, emittedOn: spec.emittedOn }, (sink) => body(sink, { number, nomFic }));
        w.end();
      } finally {
        closeSync(fd);
      }
      stored = await this.store.put(createReadStream(temp));
    } finally {
      await rm(temp, { force: true });
    }
    const id = await this.repo.insert(em, {
      budgetId: spec.budget.id, domain: spec.domain, year: spec.year, number, nomFic, fileName, storageKey: stored.key, sha256: stored.sha256, size: stored.size,
      titreCount: spec.pieceCount, amountHt: spec.amountHt, amountTva: spec.amountTva, generatedAt: this.clock.now(),
    });
    await this.repo.insertPjs(em, id, spec.pjs);
    return { id, number, nomFic, fileName, sha256: stored.sha256, size: stored.size };
  }
}
