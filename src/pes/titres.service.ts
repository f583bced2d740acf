import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictError, DomainError, NotFoundError } from '@/common/errors/domain.error';
import { isUuid } from '@/common/http/validators';
import { SequenceService } from '@/common/sequences/sequence.service';
import { UnitOfWork } from '@/database/unit-of-work';
import { DirectoryService } from '@/directory/directory.service';
import { FileStore } from '@/storage/file-store.port';
import { BordereauxRepository } from '@/pes/bordereaux.repository';
import { checkTitre, exerciseWarnings, NormalizedLine, normalizeLines } from '@/pes/pes.checks';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { Issue, TitreInput, titreInputSchema, zodIssues } from '@/pes/pes.types';
import { AsapRetourView } from '@/pes/pes-asap-retour.types';
import { TitreLineEntity } from '@/pes/titre-line.entity';
import { TitreEntity } from '@/pes/titre.entity';
import { TitreRowData, TitresRepository } from '@/pes/titres.repository';

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
  /** ASAP CPP (Edition 02): BlocPiece NumeroFacture, CodeService, NomService, NumeroEngagement, NumeroMarche. */
  invoiceNumber: string | null;
  serviceCode: string | null;
  serviceName: string | null;
  engagementNumber: string | null;
  marketNumber: string | null;
  /** Talon optique lines given with the titre (null: the budget's settings give them, if they do). */
  talon: { ligne1: string; ligne2: string } | null;
  amountHt: string;
  amountTva: string;
  amountTtc: string;
  pdfName: string | null;
  lastRefusal: string | null;
  /** Non-blocking French warnings (closed exercise, issue date outside the exercise). */
  warnings: Issue[];
  /** Latest PES_AsapRetour news of this titre's ASAP, null until Hélios sends one. */
  asapRetour: AsapRetourView | null;
  lines: NormalizedLine[];
}

/** A titre ready to be written: input checked, lines completed, PDF stored. */
interface PreparedTitre extends TitreRowData {
  year: number;
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
    private readonly titres: TitresRepository,
    private readonly bordereaux: BordereauxRepository,
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
        const known = await this.titres.findExternalRefs(em, budget.id, chunk.map((c) => c.p.input.ref).filter((r): r is string => Boolean(r)));
        const seen = new Set<string>();
        const numbers = new Set<string>();
        for (const { index, p } of chunk) {
          const ref = p.input.ref ?? null;
          if (ref && (known.has(ref) || seen.has(ref))) {
            results[index] = { index, ok: false, skipped: true, issues: [{ code: 'TITRE_ALREADY_IMPORTED', message: `Titre « ${ref} » déjà enregistré` }] };
            continue;
          }
          const duplicate = await this.invoiceNumberIssue(em, budget, p.input.invoiceNumber, numbers);
          if (duplicate) {
            results[index] = { index, ok: false, issues: [duplicate] };
            continue;
          }
          if (ref) seen.add(ref);
          const number = await this.sequences.next(em, titreScope(budget.id), p.year);
          const id = await this.titres.insert(em, budget.id, p.year, number, p);
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
    // An edit from the pages that sends no new PDF keeps the one already joined (its bytes are not sent back and forth).
    const keep = !r.pdf && (body as { keepPdf?: unknown } | null)?.keepPdf === true && current.pdfName && current.pdfStorageKey
      ? { name: current.pdfName, key: current.pdfStorageKey }
      : null;
    const prepared = keep ? { ...r, pdf: keep } : r;
    const budget = await this.budgets.getEntityById(current.budgetId);
    await this.uow.run(async (em) => {
      // Re-checked under lock: a generation may have frozen it meanwhile.
      if ((await this.titres.lockStatus(em, id)) !== 'EN_ATTENTE') throw new ConflictError('TITRE_FROZEN', `Titre ${current.year}-${current.number} déjà émis : il ne peut plus être modifié`);
      const duplicate = await this.invoiceNumberIssue(em, budget, r.input.invoiceNumber, new Set(), id);
      if (duplicate) throw new DomainError('TITRE_REFUSED', `Titre refusé : ${duplicate.message}`, 'invalid', { issues: [duplicate] });
      await this.titres.replace(em, id, prepared, r.input.ref ?? current.externalRef);
    });
    return this.get(id);
  }

  /** NumeroFacture: one collectivité never sends Chorus Pro the same invoice number twice (all its budgets). */
  private async invoiceNumberIssue(em: EntityManager, budget: PesBudgetEntity, invoiceNumber: string | undefined, inBatch: Set<string>, exceptId?: string): Promise<Issue | null> {
    if (!invoiceNumber) return null;
    const used = inBatch.has(invoiceNumber) ? { year: 0, number: 0, budget: budget.code } : await this.titres.findInvoiceNumberUse(em, budget.idColl, invoiceNumber, exceptId);
    inBatch.add(invoiceNumber);
    if (!used) return null;
    const where = used.number ? `titre ${used.year}-${used.number} du budget ${used.budget}` : 'un autre titre du même lot';
    return { code: 'CPP_INVOICE_NUMBER_USED', message: `Numéro de facture « ${invoiceNumber} » déjà porté par ${where} : Chorus Pro refuse un numéro de facture déjà utilisé par la collectivité` };
  }

  private async prepare(body: unknown, baseDir?: string): Promise<PreparedTitre | { issues: Issue[] }> {
    const parsed = titreInputSchema.safeParse(body);
    if (!parsed.success) return { issues: zodIssues(parsed.error) };
    const input = parsed.data;
    const { lines, totals, issues } = normalizeLines(input.lines);
    issues.push(...checkTitre(input));
    let serviceName = input.serviceName ?? null;
    if (input.edition === '02' && input.debtor.siret && !issues.some((i) => i.code === 'DEBTOR_SIRET_INVALID')) {
      issues.push(...(await this.directory.checkCppDebtor(input.debtor.siret, input.serviceCode, input.engagementNumber)));
      // NomService defaults to the service's label in the Chorus Pro directory.
      if (input.serviceCode && !serviceName) serviceName = (await this.directory.find(input.debtor.siret))?.services.find((x) => x.code === input.serviceCode)?.label ?? null;
    }
    let pdf: PreparedTitre['pdf'] = null;
    if (input.pdf && !issues.length) {
      const loaded = await this.loadPdf(input.pdf, baseDir);
      if ('issue' in loaded) issues.push(loaded.issue);
      else pdf = { name: input.pdf.name, key: (await this.store.put(loaded.content)).key };
    }
    if (issues.length) return { issues };
    return { input, year: input.year ?? Number(input.issueDate.slice(0, 4)), serviceName: serviceName?.slice(0, 100) ?? null, lines, totals, pdf };
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

  async getEntity(id: string): Promise<TitreEntity> {
    const t = isUuid(id) ? await this.titres.findById(id) : null;
    if (!t) throw new NotFoundError('TITRE_NOT_FOUND', `Titre inconnu : ${id}`);
    return t;
  }

  async get(id: string): Promise<TitreView> {
    const t = await this.getEntity(id);
    const budget = await this.budgets.getEntityById(t.budgetId);
    const numbers = await this.bordereaux.numbersOf(budget.id);
    const retours = await this.titres.asapRetours([t.id]);
    return toView(t, budget, numbers, retours.get(t.id) ?? null);
  }

  async list(budgetCode: string, filter: { status?: string; year?: number } = {}): Promise<TitreView[]> {
    const budget = await this.budgets.getEntity(budgetCode);
    const rows = await this.titres.list(budget.id, filter);
    const numbers = await this.bordereaux.numbersOf(budget.id);
    const retours = await this.titres.asapRetours(rows.map((r) => r.id));
    return rows.map((t) => toView(t, budget, numbers, retours.get(t.id) ?? null));
  }
}

function toView(t: TitreEntity, budget: PesBudgetEntity, bordereaux: Map<string, number>, asapRetour: AsapRetourView | null): TitreView {
  return {
    id: t.id,
    budget: budget.code,
    year: t.year,
    number: t.number,
    ref: t.externalRef,
    status: t.status,
    bordereau: t.bordereauId ? bordereaux.get(t.bordereauId) ?? null : null,
    issueDate: t.issueDate,
    object: t.object,
    typPce: t.typPce,
    natPce: t.natPce,
    edition: t.edition,
    codServ: t.codServ,
    debtor: t.debtor,
    invoiceNumber: t.invoiceNumber,
    serviceCode: t.debtorServiceCode,
    serviceName: t.debtorServiceName,
    engagementNumber: t.debtorEngagement,
    marketNumber: t.marketNumber,
    talon: t.talonLine1 && t.talonLine2 ? { ligne1: t.talonLine1, ligne2: t.talonLine2 } : null,
    amountHt: t.amountHt,
    amountTva: t.amountTva,
    amountTtc: t.amountTtc,
    pdfName: t.pdfName,
    lastRefusal: t.lastRefusal,
    warnings: t.status === 'EN_ATTENTE' ? exerciseWarnings(budget.settings, t) : [],
    asapRetour,
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
