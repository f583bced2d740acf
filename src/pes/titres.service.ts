import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, DomainError, NotFoundError } from '@/common/errors/domain.error';
import { isUuid } from '@/common/http/validators';
import { SequenceService } from '@/common/sequences/sequence.service';
import { UnitOfWork } from '@/database/unit-of-work';
import { DirectoryService } from '@/directory/directory.service';
import { FileStore } from '@/storage/file-store.port';
import { checkTitre, NormalizedLine, NormalizedTotals, normalizeLines } from '@/pes/pes.checks';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { Issue, TitreInput, titreInputSchema, zodIssues } from '@/pes/pes.types';
import { TitreLineEntity } from '@/pes/titre-line.entity';
import { TitreEntity } from '@/pes/titre.entity';

export interface TitreView {
  id: string;
  budget: string;
  year: number;
  number: number;
  ref: string | null;
  status: TitreEntity['status'];
  bordereau: number | null;
  issueDate: string;
  object: string;
  typPce: string;
  natPce: string;
  edition: string;
  codServ: string | null;
  debtor: TitreEntity['debtor'];
  serviceCode: string | null;
  engagementNumber: string | null;
  amountHt: string;
  amountTva: string;
  amountTtc: string;
  pdfName: string | null;
  lastRefusal: string | null;
  lines: NormalizedLine[];
}

/** A titre ready to be written: input checked, lines completed, PDF stored. */
interface PreparedTitre {
  input: TitreInput;
  year: number;
  lines: NormalizedLine[];
  totals: NormalizedTotals;
  pdf: { name: string; key: string } | null;
}

export type CreateResult = { index: number; ok: true; titre: { id: string; number: number; year: number; ref: string | null } } | { index: number; ok: false; skipped?: boolean; issues: Issue[] };

const INSERT_CHUNK = 200;
const PDF_MAX_BYTES = 20 * 1024 * 1024;

/** Sequence scope of titre numbers (IdPce), gapless per budget and year. */
export function titreScope(budgetId: string): string {
  return `pes-titre:${budgetId}`;
}

@Injectable()
export class TitresService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly dataSource: DataSource,
    private readonly budgets: PesBudgetsService,
    private readonly directory: DirectoryService,
    private readonly sequences: SequenceService,
    private readonly store: FileStore,
  ) {}

  /** Records one titre (REST). Refused with every broken rule in French. */
  async create(budgetCode: string, body: unknown): Promise<TitreView> {
    const [result] = await this.createMany(budgetCode, [body]);
    if (!result.ok) {
      throw new DomainError(
        result.skipped ? 'TITRE_ALREADY_IMPORTED' : 'TITRE_REFUSED',
        `Titre refusé : ${result.issues.map((i) => i.message).join(' ; ')}`,
        result.skipped ? 'conflict' : 'invalid',
        { issues: result.issues },
      );
    }
    return this.get(result.titre.id);
  }

  /**
   * Records a batch: every titre is checked on its own; good ones are written (numbers allocated in the same
   * transaction as the rows, so a failure gives them back), bad ones are returned with their reasons.
   */
  async createMany(budgetCode: string, bodies: unknown[], options: { baseDir?: string } = {}): Promise<CreateResult[]> {
    const budget = await this.budgets.getEntity(budgetCode);
    const results: CreateResult[] = new Array(bodies.length);
    const prepared: Array<{ index: number; p: PreparedTitre }> = [];
    for (let i = 0; i < bodies.length; i++) {
      const r = await this.prepare(bodies[i], options.baseDir);
      if ('issues' in r) results[i] = { index: i, ok: false, issues: r.issues };
      else prepared.push({ index: i, p: r });
    }
    for (let i = 0; i < prepared.length; i += INSERT_CHUNK) {
      const chunk = prepared.slice(i, i + INSERT_CHUNK);
      await this.uow.run(async (em) => {
        const refs = chunk.map((c) => c.p.input.ref).filter((r): r is string => Boolean(r));
        const known = new Set<string>(
          refs.length
            ? (await em.query(`SELECT external_ref FROM pes_titres WHERE budget_id = $1 AND external_ref = ANY($2::varchar[])`, [budget.id, refs])).map(
                (r: { external_ref: string }) => r.external_ref,
              )
            : [],
        );
        const seen = new Set<string>();
        for (const { index, p } of chunk) {
          const ref = p.input.ref ?? null;
          if (ref && (known.has(ref) || seen.has(ref))) {
            results[index] = { index, ok: false, skipped: true, issues: [{ code: 'TITRE_ALREADY_IMPORTED', message: `Titre « ${ref} » déjà enregistré` }] };
            continue;
          }
          if (ref) seen.add(ref);
          const number = await this.sequences.next(em, titreScope(budget.id), p.year);
          const id = await this.insert(em, budget, p, number);
          results[index] = { index, ok: true, titre: { id, number, year: p.year, ref } };
        }
      });
    }
    return results;
  }

  /** Replaces a titre that is not yet in a bordereau (number and exercice kept). */
  async update(id: string, body: unknown): Promise<TitreView> {
    const current = await this.getEntity(id);
    if (current.status !== 'EN_ATTENTE') {
      throw new ConflictError('TITRE_FROZEN', `Titre ${current.year}-${current.number} déjà émis dans un bordereau : il ne peut plus être modifié`);
    }
    const r = await this.prepare(body);
    if ('issues' in r) {
      throw new DomainError('TITRE_REFUSED', `Titre refusé : ${r.issues.map((i) => i.message).join(' ; ')}`, 'invalid', { issues: r.issues });
    }
    if (r.year !== current.year) throw new DomainError('TITRE_YEAR_CHANGE', "L'exercice d'un titre numéroté ne peut pas changer");
    await this.uow.run(async (em) => {
      // Re-checked under lock: a generation may have frozen it meanwhile.
      const [row] = await em.query(`SELECT status FROM pes_titres WHERE id = $1 FOR UPDATE`, [id]);
      if (row.status !== 'EN_ATTENTE') throw new ConflictError('TITRE_FROZEN', `Titre ${current.year}-${current.number} déjà émis : il ne peut plus être modifié`);
      await em.query(`DELETE FROM pes_titre_lines WHERE titre_id = $1`, [id]);
      const t = r.input;
      await em.query(
        `UPDATE pes_titres SET external_ref = $2, issue_date = $3, object = $4, typ_pce = $5, nat_pce = $6, edition = $7, cod_serv = $8,
           debtor = $9::jsonb, debtor_siret = $10, debtor_service_code = $11, debtor_engagement = $12, amount_ht = $13, amount_tva = $14,
           amount_ttc = $15, pdf_name = $16, pdf_storage_key = $17, last_refusal = NULL, updated_at = now() WHERE id = $1`,
        [id, t.ref ?? current.externalRef, t.issueDate, t.object, t.typPce, t.natPce, t.edition, t.codServ ?? null, JSON.stringify(t.debtor), t.debtor.siret ?? null,
          t.serviceCode ?? null, t.engagementNumber ?? null, r.totals.amountHt, r.totals.amountTva, r.totals.amountTtc, r.pdf?.name ?? null, r.pdf?.key ?? null],
      );
      await this.insertLines(em, [{ id, lines: r.lines }]);
    });
    return this.get(id);
  }

  private async prepare(body: unknown, baseDir?: string): Promise<PreparedTitre | { issues: Issue[] }> {
    const parsed = titreInputSchema.safeParse(body);
    if (!parsed.success) return { issues: zodIssues(parsed.error) };
    const input = parsed.data;
    const { lines, totals, issues } = normalizeLines(input.lines);
    issues.push(...checkTitre(input));
    if (input.edition === '02' && input.debtor.siret && !issues.some((i) => i.code === 'DEBTOR_SIRET_INVALID')) {
      issues.push(...(await this.directory.checkCppDebtor(input.debtor.siret, input.serviceCode, input.engagementNumber)));
    }
    let pdf: PreparedTitre['pdf'] = null;
    if (input.pdf && !issues.length) {
      const loaded = await this.loadPdf(input.pdf, baseDir);
      if ('issue' in loaded) issues.push(loaded.issue);
      else pdf = { name: input.pdf.name, key: (await this.store.put(loaded.content)).key };
    }
    if (issues.length) return { issues };
    return { input, year: input.year ?? Number(input.issueDate.slice(0, 4)), lines, totals, pdf };
  }

  private async loadPdf(pdf: NonNullable<TitreInput['pdf']>, baseDir?: string): Promise<{ content: Buffer } | { issue: Issue }> {
    let content: Buffer;
    if (pdf.base64) content = Buffer.from(pdf.base64, 'base64');
    else if (pdf.path && baseDir !== undefined) {
      const path = isAbsolute(pdf.path) ? pdf.path : resolve(baseDir, pdf.path);
      try {
        content = await readFile(path);
      } catch {
        return { issue: { code: 'PDF_NOT_FOUND', message: `PDF introuvable : ${pdf.path}` } };
      }
    } else return { issue: { code: 'PDF_CONTENT_REQUIRED', message: 'PDF : contenu base64 attendu' } };
    if (content.length > PDF_MAX_BYTES) return { issue: { code: 'PDF_TOO_LARGE', message: 'PDF : 20 Mo au plus' } };
    if (content.subarray(0, 5).toString('latin1') !== '%PDF-') return { issue: { code: 'PDF_INVALID', message: `PDF invalide : ${pdf.name}` } };
    return { content };
  }

  private async insert(em: EntityManager, budget: PesBudgetEntity, p: PreparedTitre, number: number): Promise<string> {
    const t = p.input;
    const [row] = await em.query(
      `INSERT INTO pes_titres (budget_id, year, number, external_ref, status, issue_date, object, typ_pce, nat_pce, edition, cod_serv, debtor,
         debtor_siret, debtor_service_code, debtor_engagement, amount_ht, amount_tva, amount_ttc, pdf_name, pdf_storage_key)
       VALUES ($1, $2, $3, $4, 'EN_ATTENTE', $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
      [budget.id, p.year, number, t.ref ?? null, t.issueDate, t.object, t.typPce, t.natPce, t.edition, t.codServ ?? null, JSON.stringify(t.debtor),
        t.debtor.siret ?? null, t.serviceCode ?? null, t.engagementNumber ?? null, p.totals.amountHt, p.totals.amountTva, p.totals.amountTtc,
        p.pdf?.name ?? null, p.pdf?.key ?? null],
    );
    await this.insertLines(em, [{ id: row.id, lines: p.lines }]);
    return row.id;
  }

  private async insertLines(em: EntityManager, titres: Array<{ id: string; lines: NormalizedLine[] }>): Promise<void> {
    const params: unknown[] = [];
    const values: string[] = [];
    for (const t of titres) {
      for (const l of t.lines) {
        params.push(t.id, l.lineNo, l.productCode, l.nature, l.fonction, l.operation, l.label, l.quantity, l.unitPrice, l.amountHt, l.vatRate, l.amountTva);
        const b = params.length - 12;
        values.push(`(${Array.from({ length: 12 }, (_, k) => `$${b + k + 1}`).join(',')})`);
      }
    }
    if (!values.length) return;
    await em.query(
      `INSERT INTO pes_titre_lines (titre_id, line_no, product_code, nature, fonction, operation, label, quantity, unit_price, amount_ht, vat_rate, amount_tva)
       VALUES ${values.join(',')}`,
      params,
    );
  }

  async getEntity(id: string): Promise<TitreEntity> {
    const t = isUuid(id)
      ? await this.dataSource.getRepository(TitreEntity).findOne({ where: { id }, relations: { lines: true }, order: { lines: { lineNo: 'ASC' } } })
      : null;
    if (!t) throw new NotFoundError('TITRE_NOT_FOUND', `Titre inconnu : ${id}`);
    return t;
  }

  async get(id: string): Promise<TitreView> {
    const t = await this.getEntity(id);
    const budget = await this.budgets.getEntityById(t.budgetId);
    const bordereau = t.bordereauId ? (await this.dataSource.query(`SELECT number FROM pes_bordereaux WHERE id = $1`, [t.bordereauId]))[0]?.number ?? null : null;
    return toView(t, budget.code, bordereau);
  }

  async list(budgetCode: string, filter: { status?: string; year?: number } = {}): Promise<TitreView[]> {
    const budget = await this.budgets.getEntity(budgetCode);
    const where: Record<string, unknown> = { budgetId: budget.id };
    if (filter.status) where.status = filter.status;
    if (filter.year) where.year = filter.year;
    const rows = await this.dataSource.getRepository(TitreEntity).find({ where, relations: { lines: true }, order: { year: 'ASC', number: 'ASC', lines: { lineNo: 'ASC' } } });
    const bordereaux = new Map<string, number>(
      (await this.dataSource.query(`SELECT id, number FROM pes_bordereaux WHERE budget_id = $1`, [budget.id])).map((b: { id: string; number: number }) => [b.id, b.number]),
    );
    return rows.map((t) => toView(t, budget.code, t.bordereauId ? bordereaux.get(t.bordereauId) ?? null : null));
  }
}

function toView(t: TitreEntity, budget: string, bordereau: number | null): TitreView {
  return {
    id: t.id,
    budget,
    year: t.year,
    number: t.number,
    ref: t.externalRef,
    status: t.status,
    bordereau,
    issueDate: t.issueDate,
    object: t.object,
    typPce: t.typPce,
    natPce: t.natPce,
    edition: t.edition,
    codServ: t.codServ,
    debtor: t.debtor,
    serviceCode: t.debtorServiceCode,
    engagementNumber: t.debtorEngagement,
    amountHt: t.amountHt,
    amountTva: t.amountTva,
    amountTtc: t.amountTtc,
    pdfName: t.pdfName,
    lastRefusal: t.lastRefusal,
    lines: (t.lines ?? []).map((l: TitreLineEntity) => ({
      lineNo: l.lineNo,
      productCode: l.productCode,
      nature: l.nature,
      fonction: l.fonction,
      operation: l.operation,
      label: l.label,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      amountHt: l.amountHt,
      vatRate: l.vatRate,
      amountTva: l.amountTva,
    })),
  };
}
