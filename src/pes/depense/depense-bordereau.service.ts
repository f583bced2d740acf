import { LateInterestRatesService } from '@/late-interest/late-interest-rates.service';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { money } from '@/common/money/money';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { localDate } from '@/common/time/local-date';
import { MandateExportService, MandateForDepense } from '@/invoices/mandate-export.service';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { encodePjContent, writePesPj } from '@/pes/pes-pj';
import { PesBordereauFilesService } from '@/pes/pes-bordereau-files.service';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { pjIdUnique } from '@/pes/pes-envelope.writer';
import { FileStore } from '@/storage/file-store.port';
import { StructureEntity } from '@/structures/structure.entity';
import { StructuresService } from '@/structures/structures.service';
import { bordereauTotal, DepenseMandat, mapMandat, PJ_TYPE_DEPENSE, writeDepenseAller } from '@/pes/depense/depense-bordereau.builder';
import { DepenseMandatsRepository } from '@/pes/depense/depense-mandats.repository';
import { DepenseMandatView, DepenseStatesService } from '@/pes/depense/depense-states.service';

export interface DepenseGenerateOptions {
  /** Write again the file of a dépense bordereau already generated (same bytes, same number). */
  bordereau?: number;
  year?: number;
  outDir?: string;
}

export interface DepenseBordereauItem {
  id: string;
  year: number;
  number: number;
  fileName: string;
  nomFic: string;
  mandats: Array<{ number: string; idPce: number; invoiceNumber: string; amount: string; pjs: number }>;
  amount: string;
  sha256: string;
}

export interface DepenseGenerateResult {
  budget: string;
  items: DepenseBordereauItem[];
  /** Files written to outDir (absolute paths), else the file names. */
  files: string[];
  /** Mandats that could not leave, with the French reason (no readable PDF, no IBAN…). */
  refused: Array<{ mandat: string; invoiceNumber: string; reason: string }>;
  /** Mandats of the waiting train, held until released. */
  held: Array<{ mandat: string; invoiceNumber: string }>;
}

export interface DepenseOverview {
  budget: string;
  pending: Array<{
    mandateId: string;
    mandat: string;
    invoiceId: string;
    invoiceNumber: string;
    supplierName: string;
    amount: string;
    train: string;
    /** Waiting train, not released: stays out of the bordereau. */
    held: boolean;
    /** Why it cannot leave (French), null when it would. */
    refusal: string | null;
    /** Hélios' error when it was rejected from an earlier bordereau. */
    previousRejection: string | null;
  }>;
  sent: DepenseMandatView[];
}

/** A mandat ready to be written: its piece and the PJ already gzip+base64 encoded. */
type Ready = { source: MandateForDepense; mandat: DepenseMandat & { encoded: string[] } };

/**
 * « Générer le bordereau de mandats »: the budget's mandats not yet sent to Hélios (or rejected by it) in one
 * PES_Aller per exercice, IdBord gapless per budget, domain and exercice (PesBordereauFilesService), the invoice PDF
 * and supplementary PJ in PES_PJ. A generated bordereau is frozen: asked again, its stored file is written again,
 * byte for byte, under the same number.
 */
@Injectable()
export class DepenseBordereauService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly budgets: PesBudgetsService,
    private readonly structures: StructuresService,
    private readonly mandates: MandateExportService,
    private readonly repo: DepenseMandatsRepository,
    private readonly states: DepenseStatesService,
    private readonly bordereaux: BordereauxRepository,
    private readonly files: PesBordereauFilesService,
    private readonly store: FileStore,
    private readonly clock: Clock,
    private readonly rates: LateInterestRatesService,
    private readonly config: AppConfig,
  ) {}

  /** The budget and the structure whose SIRET is its IdColl (mandates belong to the structure). */
  async budgetAndStructure(budgetCode: string): Promise<{ budget: PesBudgetEntity; structure: StructureEntity }> {
    const budget = await this.budgets.getEntity(budgetCode);
    const structure = await this.structures.findEntityBySiret(budget.idColl);
    if (!structure) throw new ForbiddenError('BUDGET_STRUCTURE_UNDECLARED', `Budget ${budget.code} : la collectivité (SIRET ${budget.idColl}) n'est pas une structure déclarée`);
    return { budget, structure };
  }

  async generate(budgetCode: string, options: DepenseGenerateOptions = {}): Promise<DepenseGenerateResult> {
    const { budget, structure } = await this.budgetAndStructure(budgetCode);
    if (options.bordereau !== undefined) return this.reexport(budget, options);
    await this.states.settleAcquits(budget.id);
    const result: DepenseGenerateResult = { budget: budget.code, items: [], files: [], refused: [], held: [] };
    const ready: Ready[] = [];
    const pending = await this.pending(structure.id);
    const travels = await this.repo.travels(pending.map((m) => m.mandateId));
    for (const m of pending) {
      const p = await this.prepare(budget, structure, m, true, (travels.get(m.mandateId) ?? 0) + 1);
      if (p.kind === 'held') result.held.push({ mandat: m.number, invoiceNumber: m.invoiceNumber });
      else if (p.kind === 'refused') result.refused.push({ mandat: m.number, invoiceNumber: m.invoiceNumber, reason: p.reason });
      else ready.push(p.ready);
    }
    const byYear = new Map<number, Ready[]>();
    for (const r of ready) byYear.set(r.source.year, [...(byYear.get(r.source.year) ?? []), r]);
    for (const [year, list] of [...byYear.entries()].sort((a, b) => a[0] - b[0])) {
      const item = await this.writeBordereau(budget, year, list);
      if (item) result.items.push(item);
    }
    result.files = await this.export(result.items, options.outDir);
    return result;
  }

  /** What the next bordereau would carry, hold and refuse (nothing is written), and every mandat already sent. */
  async overview(budgetCode: string): Promise<DepenseOverview> {
    const { budget, structure } = await this.budgetAndStructure(budgetCode);
    const sent = await this.states.sent(budget.id);
    const pending: DepenseOverview['pending'] = [];
    for (const m of await this.pending(structure.id)) {
      const p = await this.prepare(budget, structure, m, false);
      pending.push({
        mandateId: m.mandateId, mandat: m.number, invoiceId: m.invoiceId, invoiceNumber: m.invoiceNumber, supplierName: m.supplierName, amount: money(m.amount).toFixed(2),
        train: m.train, held: p.kind === 'held', refusal: p.kind === 'refused' ? p.reason : null,
        previousRejection: sent.find((r) => r.mandateId === m.mandateId && r.resendable)?.heliosReason ?? null,
      });
    }
    return { budget: budget.code, pending, sent };
  }

  /** A mandat held (waiting train), refused (French reason), or ready with its PJ read and encoded. */
  private async prepare(budget: PesBudgetEntity, structure: StructureEntity, m: MandateForDepense, encode = true, attempt = 1): Promise<{ kind: 'held' } | { kind: 'refused'; reason: string } | { kind: 'ready'; ready: Ready }> {
    if (m.train === 'attente' && !m.releasedAt) return { kind: 'held' };
    const mapped = mapMandat(m, {
      paymentDelayDays: structure.paymentDelayDays,
      txIntMor: await this.txIntMor(m.dueDate),
      // Hélios refuses an IdUnique it already knows (1984 « déjà intégrée »): a mandat sent again (after a rejection)
      // carries its PJ under new ids, E<n> counting its travels.
      pjIdUnique: (idPce, rank) => pjIdUnique(budget.settings.collectivite, 'depense', m.year, attempt === 1 ? 'PJ' : `E${attempt}PJ`, idPce, rank),
    });
    if (!mapped.ok) return { kind: 'refused', reason: mapped.reason };
    const contents = await Promise.all(mapped.mandat.pjs.map((pj, i) => (i === 0 || encode ? this.read(pj.storageKey) : Promise.resolve(Buffer.alloc(0)))));
    // The store keeps the supplier's bytes: the invoice's PJ must really be a PDF (its declared type proves nothing).
    if (contents[0].subarray(0, 5).toString('latin1') !== '%PDF-') {
      return { kind: 'refused', reason: `Mandat ${m.number} : la pièce de la facture ${m.invoiceNumber} n'est pas un PDF lisible ; Hélios exige la pièce justificative` };
    }
    const pjs = mapped.mandat.pjs.map((pj, i) => ({ ...pj, content: contents[i] }));
    return { kind: 'ready', ready: { source: m, mandat: { ...mapped.mandat, pjs, encoded: encode ? contents.map((c) => encodePjContent(c)) : [] } } };
  }

  /** MANDATEE mandates that never travelled, or whose last bordereau Hélios rejected them from. */
  private async pending(structureId: string): Promise<MandateForDepense[]> {
    const mandated = await this.mandates.mandated(structureId);
    const latest = await this.repo.latestByMandate(mandated.map((m) => m.mandateId));
    return mandated.filter((m) => {
      const last = latest.get(m.mandateId);
      return !last || last.state === 'REJETE';
    });
  }

  private async writeBordereau(budget: PesBudgetEntity, year: number, list: Ready[]): Promise<DepenseBordereauItem | null> {
    const emittedOn = localDate(this.clock.now(), this.config.timezone);
    return this.uow.run(async (em) => {
      // One generation at a time per budget: the second waits, then leaves out what the first sent.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`pes-depense:${budget.id}`]);
      const taken = await this.repo.travelling(em, list.map((r) => r.source.mandateId));
      const kept = list.filter((r) => !taken.has(r.source.mandateId)).sort((a, b) => a.mandat.idPce - b.mandat.idPce);
      if (!kept.length) return null;
      const amount = bordereauTotal(kept.map((r) => r.mandat));
      const file = await this.files.write(
        em,
        {
          budget, domain: 'depense', year, emittedOn, pieceCount: kept.length, amountHt: amount, amountTva: '0.00',
          pjs: kept.flatMap((r) => r.mandat.pjs.map((pj) => ({ idUnique: pj.idUnique, piece: r.mandat.idPce, typePJ: PJ_TYPE_DEPENSE }))),
        },
        (w, { number }) => {
          writeDepenseAller(w, { year, bordereauNumber: number, emittedOn }, kept.map((r) => r.mandat));
          w.open('PES_PJ');
          w.open('EnTetePES_PJ');
          w.leaf('IdVer', '1');
          w.close();
          for (const r of kept) {
            for (const [i, pj] of r.mandat.pjs.entries()) {
              writePesPj(w, {
                encoded: r.mandat.encoded[i], mimeType: pj.mimeType, idUnique: pj.idUnique, nomPJ: pj.nomPJ, typePJ: PJ_TYPE_DEPENSE, description: pj.description,
                refCompta: { domain: 'depense', exercice: year, typeObjet: '01', identifiant: String(r.mandat.idPce) },
              });
            }
          }
          w.close();
        },
      );
      for (const r of kept) {
        const m = r.source;
        await this.repo.insert(em, {
          bordereauId: file.id, budgetId: budget.id, mandateId: m.mandateId, invoiceId: m.invoiceId, structureId: m.structureId, year, idPce: r.mandat.idPce,
          mandateNumber: m.number, invoiceNumber: m.invoiceNumber, supplierId: m.supplierId, supplierName: m.supplierName,
          netAmount: money(m.netAmount).toFixed(2), dueDate: m.dueDate,
        });
      }
      return {
        id: file.id, year, number: file.number, fileName: file.fileName, nomFic: file.nomFic, amount, sha256: file.sha256,
        mandats: kept.map((r) => ({ number: r.source.number, idPce: r.mandat.idPce, invoiceNumber: r.source.invoiceNumber, amount: bordereauTotal([r.mandat]), pjs: r.mandat.pjs.length })),
      };
    });
  }

  /** The stored file of bordereau `n` (dépense) of the budget, written again as it was. */
  private async reexport(budget: PesBudgetEntity, options: DepenseGenerateOptions): Promise<DepenseGenerateResult> {
    const b = await this.bordereaux.findByNumber(budget.id, options.bordereau!, options.year, 'depense');
    if (!b) throw new NotFoundError('BORDEREAU_NOT_FOUND', `Bordereau de mandats ${options.bordereau}${options.year ? ` de ${options.year}` : ''} inconnu pour le budget ${budget.code}`);
    const rows = await this.repo.listByBordereau(b.id);
    const item: DepenseBordereauItem = {
      id: b.id, year: b.year, number: b.number, fileName: b.fileName, nomFic: b.nomFic, amount: money(b.amountHt).toFixed(2), sha256: b.sha256,
      mandats: rows.map((r) => ({ number: r.mandateNumber, idPce: r.idPce, invoiceNumber: r.invoiceNumber, amount: r.netAmount, pjs: 0 })),
    };
    return { budget: budget.code, items: [item], files: await this.export([item], options.outDir), refused: [], held: [] };
  }

  private async export(items: DepenseBordereauItem[], outDir?: string): Promise<string[]> {
    if (!outDir) return items.map((i) => i.fileName);
    await mkdir(outDir, { recursive: true });
    const keys = await this.bordereaux.storageKeys(items.map((i) => i.id));
    const out: string[] = [];
    for (const i of items) {
      const path = join(outDir, i.fileName);
      await pipeline(await this.store.openRead(keys.get(i.id)!), createWriteStream(path));
      out.push(path);
    }
    return out;
  }

  /** The file of a dépense bordereau, for download. */
  async openFile(bordereauId: string): Promise<{ fileName: string; stream: NodeJS.ReadableStream; budget: PesBudgetEntity }> {
    const b = await this.bordereaux.findById(bordereauId);
    if (!b || b.domain !== 'depense') throw new NotFoundError('BORDEREAU_NOT_FOUND', `Bordereau de mandats inconnu : ${bordereauId}`);
    return { fileName: b.fileName, stream: await this.store.openRead(b.storageKey), budget: await this.budgets.getEntityById(b.budgetId) };
  }

  private async read(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.store.openRead(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * TxIntMor: the ECB rate in force on the first day of the half-year in which interest would start (the day after
   * DteFinDgp) plus 8 points (R2192-31); null when the rate is unknown.
   */
  private async txIntMor(dueDate: string | null): Promise<string | null> {
    if (!dueDate) return null;
    const start = new Date(Date.parse(`${dueDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const half = `${start.slice(0, 4)}-${Number(start.slice(5, 7)) <= 6 ? '01' : '07'}-01`;
    const ecb = await this.rates.ecbRateOf(half);
    return ecb === null ? null : money(ecb).plus(8).toFixed(2);
  }
}
