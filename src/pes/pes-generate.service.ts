import archiver from 'archiver';
import { closeSync, createReadStream, createWriteStream, openSync, writeSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { isUuid } from '@/common/http/validators';
import { sum } from '@/common/money/money';
import { SequenceService } from '@/common/sequences/sequence.service';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { DirectoryService } from '@/directory/directory.service';
import { FileStore } from '@/storage/file-store.port';
import { BordereauEntity } from '@/pes/bordereau.entity';
import { checkSettings, checkTitreForFlow } from '@/pes/pes.checks';
import { encodeFacture, FlowContext, pesFileBaseName, wrap76, writeAller } from '@/pes/pes-flow.builder';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { TitreData } from '@/pes/pes.types';
import { FastXmlWriter } from '@/pes/pes-xml.writer';

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
  items: GeneratedBordereau[];
}

const DEFAULT_MAX_TITRES = 1000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQL rows (snake_case columns)
type Row = Record<string, any>;


/** Sequence scope of bordereau numbers (IdBord), gapless per budget and year. */
export function bordereauScope(budgetId: string): string {
  return `pes-bordereau:${budgetId}`;
}

/**
 * Builds the PES_Aller files of a budget's pending titres: one bordereau per file, numbered gaplessly,
 * frozen once generated (its titres can no longer change), its file kept in the store for download.
 */
@Injectable()
export class PesGenerateService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly dataSource: DataSource,
    private readonly budgets: PesBudgetsService,
    private readonly directory: DirectoryService,
    private readonly sequences: SequenceService,
    private readonly store: FileStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async generate(budgetCode: string, options: GenerateOptions = {}): Promise<GenerateResult> {
    const budget = await this.budgets.getEntity(budgetCode);
    if (options.bordereau !== undefined) return this.again(budget, options);
    const problems = checkSettings(budget.settings);
    if (problems.length) {
      throw new DomainError('PES_SETTINGS_INCOMPLETE', `Paramétrage ASAP du budget ${budget.code} incomplet : ${problems.map((p) => p.message).join(' ; ')}`, 'invalid', { issues: problems });
    }
    const result: GenerateResult = { files: [], bordereaux: 0, titres: 0, refused: [], items: [] };
    const pending = await this.loadTitres(`t.budget_id = $1 AND t.status = 'EN_ATTENTE'`, [budget.id]);
    const accepted: TitreData[] = [];
    const refusals: Array<{ id: string; reason: string }> = [];
    for (const t of pending) {
      const issues = checkTitreForFlow(t, budget.settings);
      if (t.edition === '02' && t.debtorSiret) {
        // The directory may have changed since the titre was recorded (structure or service deactivated).
        issues.push(...(await this.directory.checkCppDebtor(t.debtorSiret, t.debtorServiceCode, t.debtorEngagement)));
      }
      if (issues.length) {
        const reason = issues.map((i) => `${i.code} : ${i.message}`).join(' ; ');
        result.refused.push({ titre: `${t.year}-${t.number}`, reason });
        refusals.push({ id: t.id!, reason });
      } else accepted.push(t);
    }
    if (refusals.length) {
      await this.uow.run(async (em) => {
        for (const r of refusals) await em.query(`UPDATE pes_titres SET last_refusal = $2 WHERE id = $1`, [r.id, r.reason]);
      });
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
    const pdfs = new Map<string, string>();
    for (const t of titres) if (t.pdf) pdfs.set(t.id!, wrap76(t.pdf.content.toString('base64')));
    return this.uow.run(async (em) => {
      // Lock the titres; any a concurrent generation has frozen meanwhile are left out.
      const locked: Array<{ id: string }> = await em.query(
        `SELECT id FROM pes_titres WHERE id = ANY($1::uuid[]) AND status = 'EN_ATTENTE' FOR UPDATE`,
        [titres.map((t) => t.id)],
      );
      const ids = new Set(locked.map((r) => r.id));
      const kept = titres.filter((t) => ids.has(t.id!));
      if (!kept.length) return null;
      const number = await this.sequences.next(em, bordereauScope(budget.id), year);
      const ctx: FlowContext = { settings: budget.settings, year, bordereauNumber: number, emittedOn, fileBaseName: pesFileBaseName(budget.settings, year, number) };
      const fileName = `${ctx.fileBaseName}.xml`;
      const temp = await this.store.tempPath('.xml');
      const fd = openSync(temp, 'w');
      let stored;
      try {
        const w = new FastXmlWriter((chunk) => writeSync(fd, chunk));
        writeAller(w, ctx, kept, { asap: (t) => encodeFacture(ctx, t).base64, pdf: (t) => pdfs.get(t.id!) ?? null });
        w.end();
        closeSync(fd);
        stored = await this.store.put(createReadStream(temp));
      } finally {
        await rm(temp, { force: true });
      }
      const ht = sum(kept.map((t) => t.amountHt));
      const tva = sum(kept.map((t) => t.amountTva));
      const [row] = await em.query(
        `INSERT INTO pes_bordereaux (budget_id, year, number, status, file_name, storage_key, sha256, size, titre_count, amount_ht, amount_tva, generated_at)
         VALUES ($1, $2, $3, 'GENERE', $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [budget.id, year, number, fileName, stored.key, stored.sha256, stored.size, kept.length, ht.toFixed(2), tva.toFixed(2), this.clock.now()],
      );
      await em.query(`UPDATE pes_titres SET status = 'EMIS', bordereau_id = $2, last_refusal = NULL, updated_at = now() WHERE id = ANY($1::uuid[])`, [
        kept.map((t) => t.id),
        row.id,
      ]);
      return { id: row.id, year, number, fileName, titres: kept.length, amountHt: ht.toFixed(2), amountTva: tva.toFixed(2), sha256: stored.sha256 };
    });
  }

  private async again(budget: PesBudgetEntity, options: GenerateOptions): Promise<GenerateResult> {
    const qb = this.dataSource.getRepository(BordereauEntity).createQueryBuilder('b').where('b.budget_id = :id AND b.number = :n', { id: budget.id, n: options.bordereau });
    if (options.year) qb.andWhere('b.year = :y', { y: options.year });
    const b = await qb.orderBy('b.year', 'DESC').getOne();
    if (!b) throw new NotFoundError('BORDEREAU_NOT_FOUND', `Bordereau ${options.bordereau}${options.year ? ` de ${options.year}` : ''} inconnu pour le budget ${budget.code}`);
    const item: GeneratedBordereau = { id: b.id, year: b.year, number: b.number, fileName: b.fileName, titres: b.titreCount, amountHt: b.amountHt, amountTva: b.amountTva, sha256: b.sha256 };
    return { files: await this.export(budget, [item], options), bordereaux: 1, titres: b.titreCount, refused: [], items: [item] };
  }

  /** Copies the stored files to outDir, or packs them in one ZIP (archiver) with `zip`. */
  private async export(budget: PesBudgetEntity, items: GeneratedBordereau[], options: GenerateOptions): Promise<string[]> {
    if (!options.outDir) return items.map((i) => i.fileName);
    if (!items.length) return [];
    await mkdir(options.outDir, { recursive: true });
    const keys = await this.dataSource.query(`SELECT id, storage_key FROM pes_bordereaux WHERE id = ANY($1::uuid[])`, [items.map((i) => i.id)]);
    const keyOf = new Map<string, string>(keys.map((k: { id: string; storage_key: string }) => [k.id, k.storage_key]));
    if (options.zip) {
      const stamp = this.clock.now().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const zipPath = join(options.outDir, `PES_${budget.code}_${stamp}.zip`);
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
    const b = isUuid(bordereauId) ? await this.dataSource.getRepository(BordereauEntity).findOne({ where: { id: bordereauId } }) : null;
    if (!b) throw new NotFoundError('BORDEREAU_NOT_FOUND', `Bordereau inconnu : ${bordereauId}`);
    const budget = await this.budgets.getEntityById(b.budgetId);
    return { fileName: b.fileName, stream: await this.store.openRead(b.storageKey), budget };
  }

  async listBordereaux(budgetCode: string): Promise<BordereauEntity[]> {
    const budget = await this.budgets.getEntity(budgetCode);
    return this.dataSource.getRepository(BordereauEntity).find({ where: { budgetId: budget.id }, order: { year: 'ASC', number: 'ASC' } });
  }

  /** Titres with their lines (and PDF bytes) as the writer needs them. */
  async loadTitres(where: string, params: unknown[]): Promise<TitreData[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT t.* FROM pes_titres t WHERE ${where} ORDER BY t.year, t.number`,
      params,
    );
    if (!rows.length) return [];
    const lines: Row[] = await this.dataSource.query(
      `SELECT * FROM pes_titre_lines WHERE titre_id = ANY($1::uuid[]) ORDER BY titre_id, line_no`,
      [rows.map((r) => r.id)],
    );
    const byTitre = new Map<string, TitreData['lines']>();
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
    const out: TitreData[] = [];
    for (const r of rows) {
      let pdf: TitreData['pdf'] = null;
      if (r.pdf_storage_key) {
        const chunks: Buffer[] = [];
        for await (const c of await this.store.openRead(r.pdf_storage_key)) chunks.push(c as Buffer);
        pdf = { name: r.pdf_name, content: Buffer.concat(chunks) };
      }
      out.push({
        id: r.id,
        year: r.year,
        number: r.number,
        issueDate: r.issue_date,
        object: r.object,
        typPce: r.typ_pce,
        natPce: r.nat_pce,
        edition: r.edition,
        codServ: r.cod_serv,
        debtor: typeof r.debtor === 'string' ? JSON.parse(r.debtor) : r.debtor,
        debtorSiret: r.debtor_siret,
        debtorServiceCode: r.debtor_service_code,
        debtorEngagement: r.debtor_engagement,
        amountHt: String(r.amount_ht),
        amountTva: String(r.amount_tva),
        amountTtc: String(r.amount_ttc),
        pdf,
        lines: byTitre.get(r.id) ?? [],
      });
    }
    return out;
  }

  private today(): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.config.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.clock.now());
  }
}
