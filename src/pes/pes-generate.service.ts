import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { isUuid } from '@/common/http/validators';
import { sum } from '@/common/money/money';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { DirectoryService } from '@/directory/directory.service';
import { FileStore } from '@/storage/file-store.port';
import { BordereauEntity, BordereauError } from '@/pes/bordereau.entity';
import { DOMAINE_ACK_LABELS } from '@/pes/pes-acquit.reader';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { checkSettings, checkTitreForFlow, exerciseWarnings } from '@/pes/pes.checks';
import { checkTalon } from '@/pes/pes-talon';
import { asapIdUnique, encodeFacture, FlowContext, pdfIdUnique, PJ_TYPE_ASAP, PJ_TYPE_PDF, writeRecetteBody } from '@/pes/pes-flow.builder';
import { PesBordereauFilesService } from '@/pes/pes-bordereau-files.service';
import { encodePjContent } from '@/pes/pes-pj';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { TitreData } from '@/pes/pes.types';
import { TitreForFlow, TitresRepository } from '@/pes/titres.repository';
import { localDate } from '@/common/time/local-date';

export interface GenerateOptions {
  /** Write again the file of an already generated bordereau (same bytes). */
  bordereau?: number;
  year?: number;
  /** Directory to copy the files to (CLI); the REST API serves them from the store instead. */
  outDir?: string;
  zip?: boolean;
  /** Titres per bordereau (NbrPce is 5 digits at most). */
  maxTitres?: number;
}

export interface GeneratedBordereau {
  id: string;
  year: number;
  number: number;
  fileName: string;
  titres: number;
  amountHt: string;
  amountTva: string;
  sha256: string;
}

export interface GenerateResult {
  /** Files written to outDir (absolute paths), or the generated file names when no outDir was given. */
  files: string[];
  bordereaux: number;
  titres: number;
  refused: Array<{ titre: string; reason: string }>;
  /** French warnings of the titres emitted (exercice clos, date hors exercice, bordereau émis hors exercice). */
  warnings: Array<{ titre: string; code: string; message: string }>;
  items: GeneratedBordereau[];
}

/** A bordereau as listed (REST, `pes bordereaux`): file, state, every Hélios error with domain, piece and line. */
export type BordereauView = Omit<BordereauEntity, 'storageKey'> & { errors: BordereauError[] };

const DEFAULT_MAX_TITRES = 1000;

export { bordereauScope } from '@/pes/pes-bordereau-files.service';

/**
 * Builds the PES_Aller files of a budget's pending titres: one bordereau per file, numbered gaplessly,
 * frozen once generated (its titres can no longer change), its file kept in the store for download.
 */
@Injectable()
export class PesGenerateService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly titresRepo: TitresRepository,
    private readonly bordereauxRepo: BordereauxRepository,
    private readonly budgets: PesBudgetsService,
    private readonly directory: DirectoryService,
    private readonly files: PesBordereauFilesService,
    private readonly store: FileStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async generate(budgetCode: string, options: GenerateOptions = {}): Promise<GenerateResult> {
    const budget = await this.budgets.getEntity(budgetCode);
    if (options.bordereau !== undefined) return this.reexport(budget, options);
    const problems = checkSettings(budget.settings);
    if (problems.length) {
      throw new DomainError('PES_SETTINGS_INCOMPLETE', `Paramétrage ASAP du budget ${budget.code} incomplet : ${problems.map((p) => p.message).join(' ; ')}`, 'invalid', { issues: problems });
    }
    const result: GenerateResult = { files: [], bordereaux: 0, titres: 0, refused: [], warnings: [], items: [] };
    const pending = await this.withPdfs(await this.titresRepo.findPendingForFlow(budget.id));
    const accepted: TitreData[] = [];
    const refusals: Array<{ id: string; reason: string }> = [];
    for (const t of pending) {
      const issues = [...checkTitreForFlow(t, budget.settings), ...checkTalon(budget.settings, t)];
      if (t.edition === '02' && t.debtorSiret) {
        // The directory may have changed since the titre was recorded (structure or service deactivated).
        issues.push(...(await this.directory.checkCppDebtor(t.debtorSiret, t.debtorServiceCode, t.debtorEngagement)));
      }
      if (issues.length) {
        const reason = issues.map((i) => `${i.code} : ${i.message}`).join(' ; ');
        result.refused.push({ titre: `${t.year}-${t.number}`, reason });
        refusals.push({ id: t.id!, reason });
      } else {
        accepted.push(t);
        // Closed exercice, issue date or emission outside the exercice: said, not blocking (Hélios decides).
        for (const w of exerciseWarnings(budget.settings, t, this.today())) result.warnings.push({ titre: `${t.year}-${t.number}`, ...w });
      }
    }
    if (refusals.length) {
      await this.uow.run((em) => this.titresRepo.recordRefusals(em, refusals));
    }
    const max = Math.min(options.maxTitres ?? DEFAULT_MAX_TITRES, 99999);
    const byYear = new Map<number, TitreData[]>();
    for (const t of accepted) byYear.set(t.year, [...(byYear.get(t.year) ?? []), t]);
    for (const [year, titres] of [...byYear.entries()].sort((a, b) => a[0] - b[0])) {
      for (let i = 0; i < titres.length; i += max) {
        const item = await this.writeBordereau(budget, year, titres.slice(i, i + max));
        if (!item) continue;
        result.items.push(item);
        result.bordereaux++;
        result.titres += item.titres;
      }
    }
    result.files = await this.export(budget, result.items, options);
    return result;
  }

  private async writeBordereau(budget: PesBudgetEntity, year: number, titres: TitreData[]): Promise<GeneratedBordereau | null> {
    const emittedOn = this.today();
    const s = budget.settings;
    const pdfs = new Map<string, string>();
    // Every PJ is gzip then base64, the PDF (TypePJ 008) included.
    for (const t of titres) if (t.pdf) pdfs.set(t.id!, encodePjContent(t.pdf.content));
    return this.uow.run(async (em) => {
      // Lock the titres; any a concurrent generation has frozen meanwhile are left out.
      const ids = await this.titresRepo.lockPending(em, titres.map((t) => t.id!));
      const kept = titres.filter((t) => ids.has(t.id!));
      if (!kept.length) return null;
      const ht = sum(kept.map((t) => t.amountHt));
      const tva = sum(kept.map((t) => t.amountTva));
      const pjs = kept.flatMap((t) => [
        { idUnique: asapIdUnique(s, t), piece: t.number, typePJ: PJ_TYPE_ASAP },
        ...(t.pdf ? [{ idUnique: pdfIdUnique(s, t), piece: t.number, typePJ: PJ_TYPE_PDF }] : []),
      ]);
      const spec = { budget, domain: 'recette' as const, year, emittedOn, pieceCount: kept.length, amountHt: ht.toFixed(2), amountTva: tva.toFixed(2), pjs };
      const file = await this.files.write(em, spec, (w, b) => {
        const ctx: FlowContext = { settings: s, year, bordereauNumber: b.number, emittedOn, nomFic: b.nomFic };
        writeRecetteBody(w, ctx, kept, { asap: (t) => encodeFacture(ctx, t).base64, pdf: (t) => pdfs.get(t.id!) ?? null });
      });
      await this.titresRepo.markEmitted(em, kept.map((t) => t.id!), file.id);
      return { id: file.id, year, number: file.number, fileName: file.fileName, titres: kept.length, amountHt: ht.toFixed(2), amountTva: tva.toFixed(2), sha256: file.sha256 };
    });
  }

  /** Re-exports the file of a bordereau already generated (same bytes): nothing is generated again. */
  private async reexport(budget: PesBudgetEntity, options: GenerateOptions): Promise<GenerateResult> {
    const b = await this.bordereauxRepo.findByNumber(budget.id, options.bordereau!, options.year);
    if (!b) throw new NotFoundError('BORDEREAU_NOT_FOUND', `Bordereau ${options.bordereau}${options.year ? ` de ${options.year}` : ''} inconnu pour le budget ${budget.code}`);
    const item: GeneratedBordereau = { id: b.id, year: b.year, number: b.number, fileName: b.fileName, titres: b.titreCount, amountHt: b.amountHt, amountTva: b.amountTva, sha256: b.sha256 };
    return { files: await this.export(budget, [item], options), bordereaux: 1, titres: b.titreCount, refused: [], warnings: [], items: [item] };
  }

  /** Copies the stored files to outDir, or packs them in one ZIP (archiver) with `zip`. */
  private async export(budget: PesBudgetEntity, items: GeneratedBordereau[], options: GenerateOptions): Promise<string[]> {
    if (!options.outDir) return items.map((i) => i.fileName);
    if (!items.length) return [];
    await mkdir(options.outDir, { recursive: true });
    const keyOf = await this.bordereauxRepo.storageKeys(items.map((i) => i.id));
    if (options.zip) {
      const stamp = this.clock.now().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const zipPath = join(options.outDir, `PES_${budget.code}_${stamp}.zip`);
      // Loaded here, the only place that zips: not at every start of the service and the CLI.
      const { default: archiver } = await import('archiver');
      const archive = archiver('zip', { zlib: { level: 6 } });
      const done = pipeline(archive, createWriteStream(zipPath));
      for (const i of items) archive.append(await this.store.openRead(keyOf.get(i.id)!), { name: i.fileName });
      await archive.finalize();
      await done;
      return [zipPath];
    }
    const out: string[] = [];
    for (const i of items) {
      const path = join(options.outDir, i.fileName);
      await pipeline(await this.store.openRead(keyOf.get(i.id)!), createWriteStream(path));
      out.push(path);
    }
    return out;
  }

  async openFile(bordereauId: string): Promise<{ fileName: string; stream: NodeJS.ReadableStream; budget: PesBudgetEntity }> {
    const b = isUuid(bordereauId) ? await this.bordereauxRepo.findById(bordereauId) : null;
    if (!b) throw new NotFoundError('BORDEREAU_NOT_FOUND', `Bordereau inconnu : ${bordereauId}`);
    const budget = await this.budgets.getEntityById(b.budgetId);
    return { fileName: b.fileName, stream: await this.store.openRead(b.storageKey), budget };
  }

  /** Every bordereau of the budget (titres and mandats), its state and every Hélios error kept for it. */
  async listBordereaux(budgetCode: string): Promise<BordereauView[]> {
    const budget = await this.budgets.getEntity(budgetCode);
    const list = await this.bordereauxRepo.listByBudget(budget.id);
    const errors = await this.bordereauxRepo.errorsOf(list.map((b) => b.id));
    return list.map(({ storageKey: _k, ...b }) => ({
      ...b,
      size: Number(b.size),
      errors: (errors.get(b.id) ?? []).map((e) => ({ ...e, domaineLabel: DOMAINE_ACK_LABELS[e.domaine] ?? `domaine ${e.domaine}` })),
    }));
  }

  /** Reads the PDF (PJ 008) of each titre from the store. */
  private async withPdfs(titres: TitreForFlow[]): Promise<TitreData[]> {
    const out: TitreData[] = [];
    for (const { pdfName, pdfStorageKey, ...t } of titres) {
      let pdf: TitreData['pdf'] = null;
      if (pdfStorageKey) {
        const chunks: Buffer[] = [];
        for await (const c of await this.store.openRead(pdfStorageKey)) chunks.push(c as Buffer);
        pdf = { name: pdfName ?? 'document.pdf', content: Buffer.concat(chunks) };
      }
      out.push({ ...t, pdf });
    }
    return out;
  }

  private today(): string {
    return localDate(this.clock.now(), this.config.timezone);
  }
}
