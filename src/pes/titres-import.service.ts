import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import { DomainError } from '@/common/errors/domain.error';
import { decodeTextStream, TextEncoding } from '@/common/text/text-encoding';
import { sniffDelimiter } from '@/directory/csv-delimiter';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { TitresService } from '@/pes/titres.service';

export interface TitresImportReport {
  budget: string;
  /** Titres read from the file. */
  read: number;
  created: number;
  /** Already imported (same `ref`): left as they are. */
  skipped: number;
  rejected: Array<{ line: string; ref: string | null; reason: string }>;
  titres: Array<{ ref: string | null; year: number; number: number }>;
}

/** CSV columns, one row per line of titre; consecutive rows with the same `ref` make one titre. */
export const TITRES_CSV_COLUMNS = [
  'ref', 'exercice', 'date_emission', 'objet', 'typ_pce', 'nat_pce', 'edition', 'code_serv',
  'debiteur_categorie', 'debiteur_nature_juridique', 'debiteur_civilite', 'debiteur_nom', 'debiteur_complement_nom', 'debiteur_prenom', 'debiteur_siret',
  'debiteur_adr1', 'debiteur_adr2', 'debiteur_adr3', 'debiteur_cp', 'debiteur_ville', 'debiteur_code_pays',
  'code_service', 'engagement',
  'code_produit', 'nature', 'fonction', 'operation', 'libelle', 'quantite', 'prix_unitaire', 'montant_ht', 'taux_tva', 'montant_tva', 'pdf',
  'numero_facture', 'nom_service', 'numero_marche', 'talon_ligne1', 'talon_ligne2',
] as const;

type Row = Record<string, string>;

/**
 * `passerelle titres import FILE.csv|FILE.json`: a batch from the accounting. JSON carries the budget's settings
 * and its titres (one file on an empty database is enough to generate a flow); CSV needs an existing budget.
 * Bad titres are reported by line with the reason, good ones kept.
 */
@Injectable()
export class TitresImportService {
  constructor(
    private readonly budgets: PesBudgetsService,
    private readonly titres: TitresService,
  ) {}

  async importFile(path: string, options: { budget?: string; encoding?: TextEncoding } = {}): Promise<TitresImportReport> {
    const ext = extname(path).toLowerCase();
    if (ext === '.json') return this.importJson(path, options);
    if (ext === '.csv') return this.importCsv(path, options);
    throw new DomainError('TITRES_FILE_TYPE', `Fichier de titres attendu en .json ou .csv : ${path}`);
  }

  private async importJson(path: string, options: { budget?: string }): Promise<TitresImportReport> {
    let doc: { budget?: unknown; budgetCode?: string; titres?: unknown[] };
    try {
      doc = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new DomainError('TITRES_JSON_INVALID', `JSON illisible : ${(err as Error).message}`);
    }
    let code = options.budget ?? doc.budgetCode;
    if (doc.budget) code = (await this.budgets.upsert(doc.budget)).code;
    if (!code) throw new DomainError('TITRES_BUDGET_REQUIRED', 'Budget non précisé : clé « budget » (paramétrage) ou « budgetCode » attendue, ou option --budget');
    if (!Array.isArray(doc.titres)) throw new DomainError('TITRES_JSON_INVALID', 'Tableau « titres » attendu');
    const where = doc.titres.map((_, i) => `titre ${i + 1}`);
    return this.record(code, doc.titres, where, dirname(path));
  }

  private async importCsv(path: string, options: { budget?: string; encoding?: TextEncoding }): Promise<TitresImportReport> {
    const groups: Array<{ lines: number[]; rows: Row[] }> = [];
    // ISO-8859-1 / Windows-1252 exports and UTF-16 (Excel « Texte Unicode ») read as such, not as mojibake.
    const { head, text } = await decodeTextStream(createReadStream(path), options.encoding);
    const parser = text.pipe(
      parse({ delimiter: sniffDelimiter(head), bom: true, columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, info: true }),
    );
    let budgetFromFile: string | undefined;
    for await (const { record, info } of parser as AsyncIterable<{ record: Row; info: { lines: number } }>) {
      const ref = record.ref?.trim();
      budgetFromFile ??= record.budget?.trim() || undefined;
      const last = groups[groups.length - 1];
      if (ref && last && last.rows[0].ref?.trim() === ref) {
        last.rows.push(record);
        last.lines.push(info.lines);
      } else groups.push({ rows: [record], lines: [info.lines] });
    }
    const code = options.budget ?? budgetFromFile;
    if (!code) throw new DomainError('TITRES_BUDGET_REQUIRED', 'Budget non précisé : option --budget ou colonne « budget » attendue');
    const where = groups.map((g) => (g.lines.length > 1 ? `lignes ${g.lines[0]}-${g.lines[g.lines.length - 1]}` : `ligne ${g.lines[0]}`));
    return this.record(code, groups.map((g) => csvToTitre(g.rows)), where, dirname(path));
  }

  private async record(code: string, bodies: unknown[], where: string[], baseDir: string): Promise<TitresImportReport> {
    const results = await this.titres.createMany(code, bodies, { baseDir });
    const report: TitresImportReport = { budget: code, read: bodies.length, created: 0, skipped: 0, rejected: [], titres: [] };
    for (const r of results) {
      const ref = ((bodies[r.index] as { ref?: unknown })?.ref as string | undefined) || null;
      if (r.ok) {
        report.created++;
        report.titres.push({ ref, year: r.titre.year, number: r.titre.number });
      } else if (r.skipped) report.skipped++;
      else report.rejected.push({ line: where[r.index], ref, reason: r.issues.map((i) => i.message).join(' ; ') });
    }
    return report;
  }
}

function csvToTitre(rows: Row[]): Record<string, unknown> {
  const f = rows[0];
  const opt = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return {
    ref: opt(f.ref),
    year: opt(f.exercice),
    issueDate: opt(f.date_emission),
    object: opt(f.objet),
    typPce: opt(f.typ_pce),
    natPce: opt(f.nat_pce),
    edition: opt(f.edition),
    codServ: opt(f.code_serv),
    debtor: {
      category: opt(f.debiteur_categorie),
      legalNature: opt(f.debiteur_nature_juridique),
      civility: opt(f.debiteur_civilite),
      name: opt(f.debiteur_nom),
      complName: opt(f.debiteur_complement_nom),
      firstName: opt(f.debiteur_prenom),
      siret: opt(f.debiteur_siret),
      address: {
        adr1: opt(f.debiteur_adr1),
        adr2: opt(f.debiteur_adr2),
        adr3: opt(f.debiteur_adr3),
        cp: opt(f.debiteur_cp),
        ville: opt(f.debiteur_ville),
        codPays: opt(f.debiteur_code_pays),
      },
    },
    invoiceNumber: opt(f.numero_facture),
    serviceCode: opt(f.code_service),
    serviceName: opt(f.nom_service),
    engagementNumber: opt(f.engagement),
    marketNumber: opt(f.numero_marche),
    talon: opt(f.talon_ligne1) || opt(f.talon_ligne2) ? { ligne1: opt(f.talon_ligne1), ligne2: opt(f.talon_ligne2) } : undefined,
    lines: rows.map((r) => ({
      productCode: opt(r.code_produit),
      nature: opt(r.nature),
      fonction: opt(r.fonction),
      operation: opt(r.operation),
      label: opt(r.libelle),
      quantity: opt(r.quantite),
      unitPrice: opt(r.prix_unitaire),
      amountHt: opt(r.montant_ht),
      vatRate: opt(r.taux_tva),
      amountTva: opt(r.montant_tva),
    })),
    pdf: opt(f.pdf) ? { name: f.pdf.trim().split(/[\\/]/).pop(), path: f.pdf.trim() } : undefined,
  };
}
