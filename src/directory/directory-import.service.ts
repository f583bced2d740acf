import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import yauzl from 'yauzl';
import { DomainError } from '@/common/errors/domain.error';
import { isValidSiret } from '@/common/siret/siret';
import { decodeTextStream, TextEncoding } from '@/common/text/text-encoding';
import { sniffDelimiter } from '@/directory/csv-delimiter';
import { DirectoryService } from '@/directory/directory.service';
import { DirectoryStructureInput } from '@/directory/directory.types';

export interface DirectoryImportReport {
  files: string[];
  rows: number;
  structures: number;
  services: number;
  rejected: number;
  /** First rejected rows (100 at most), by file and line. */
  errors: Array<{ file: string; line: number; reason: string }>;
}

export interface DirectoryImportOptions {
  /** Given by `--encoding`; detected from the file otherwise (BOM, UTF-8 validity: src/common/text/text-encoding.ts). */
  encoding?: TextEncoding;
  batchSize?: number;
  onProgress?: (rows: number) => void;
}

type Field = 'siret' | 'name' | 'active' | 'estMOA' | 'serviceRequired' | 'engagementRequired' | 'engagementOrServiceRequired' | 'serviceCode' | 'serviceLabel' | 'serviceActive' | 'idStructureCpp';

// Accepted headers, compared without case, accents, spaces nor punctuation: the French labels of a
// Chorus Pro export or the API's field names.
const ALIASES: Record<Field, string[]> = {
  siret: ['siret', 'identifiant', 'identifiantstructure', 'identifiantdelastructure'],
  name: ['raisonsociale', 'designation', 'designationstructure', 'nom', 'libellestructure'],
  active: ['active', 'actif', 'statut', 'structureactive', 'etat', 'statutstructure'],
  estMOA: ['estmoa', 'moa'],
  serviceRequired: ['serviceobligatoire', 'codeserviceobligatoire', 'gestionservice', 'codeservicedoitetrerenseigne'],
  engagementRequired: ['engagementobligatoire', 'numeroengagementobligatoire', 'numerodengagementobligatoire', 'gestionengagement', 'numeroengagementdoitetrerenseigne'],
  engagementOrServiceRequired: ['gestionnumeroejoucodeservice', 'engagementoucodeservice', 'engagementoucodeserviceobligatoire', 'ejoucodeservice', 'gestionengagementouservice'],
  serviceCode: ['codeservice', 'service'],
  serviceLabel: ['libelleservice', 'nomservice', 'designationservice'],
  serviceActive: ['serviceactif', 'statutservice', 'estactif'],
  idStructureCpp: ['idstructurecpp', 'idstructure'],
};

function normalizeHeader(h: string): string {
  return h.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

function bool(value: string | undefined, fallback: boolean): boolean | null {
  if (value === undefined || value.trim() === '') return fallback;
  const v = normalizeHeader(value);
  if (['1', 'true', 'oui', 'o', 'vrai', 'actif', 'active', 'yes', 'y'].includes(v)) return true;
  if (['0', 'false', 'non', 'n', 'faux', 'inactif', 'inactive', 'no'].includes(v)) return false;
  return null;
}

/**
 * `passerelle annuaire import FILE.csv|FILE.zip`: streamed (the real directory has over 100,000 structures),
 * written by batches through `DirectoryService.upsertMany`. One row per structure, or per structure and
 * service (structure columns repeated); bad rows are reported by line, good rows kept.
 */
@Injectable()
export class DirectoryImportService {
  constructor(private readonly directory: DirectoryService) {}

  async importFile(path: string, options: DirectoryImportOptions = {}): Promise<DirectoryImportReport> {
    const report: DirectoryImportReport = { files: [], rows: 0, structures: 0, services: 0, rejected: 0, errors: [] };
    const ext = extname(path).toLowerCase();
    if (ext === '.zip') {
      await this.eachZipCsv(path, async (name, stream) => this.importStream(name, stream, report, options));
    } else if (ext === '.csv' || ext === '.txt') {
      await this.importStream(path, createReadStream(path), report, options);
    } else {
      throw new DomainError('DIRECTORY_FILE_TYPE', `Fichier d'annuaire attendu en .csv ou .zip : ${path}`);
    }
    return report;
  }

  async importStream(name: string, input: Readable, report: DirectoryImportReport, options: DirectoryImportOptions = {}): Promise<void> {
    report.files.push(name);
    const batchSize = options.batchSize ?? 2000;
    let columns: Partial<Record<Field, number>> | null = null;
    let batch: DirectoryStructureInput[] = [];
    let current: DirectoryStructureInput | null = null;
    let line = 0;
    const reject = (reason: string) => {
      report.rejected++;
      if (report.errors.length < 100) report.errors.push({ file: name, line, reason });
    };
    const flush = async () => {
      if (current) batch.push(current);
      current = null;
      if (!batch.length) return;
      report.structures += await this.directory.upsertMany(batch, { source: 'csv' });
      batch = [];
      options.onProgress?.(report.rows);
    };
    const sink = new Transform({
      objectMode: true,
      transform: (record: string[], _enc, done) => {
        line++;
        (async () => {
          if (!columns) {
            columns = {};
            record.forEach((h, i) => {
              const n = normalizeHeader(h);
              for (const [field, aliases] of Object.entries(ALIASES) as Array<[Field, string[]]>) {
                if (aliases.includes(n) && columns![field] === undefined) columns![field] = i;
              }
            });
            if (columns.siret === undefined || columns.name === undefined) {
              throw new DomainError('DIRECTORY_CSV_HEADER', `${name} : colonnes SIRET et raison sociale introuvables dans l'en-tête`);
            }
            return;
          }
          report.rows++;
          const get = (f: Field) => (columns![f] === undefined ? undefined : record[columns![f]!]?.trim());
          const siret = (get('siret') ?? '').replace(/\s/g, '');
          if (!isValidSiret(siret)) return reject(`SIRET invalide : « ${siret} »`);
          const nameValue = get('name');
          if (!nameValue) return reject('Raison sociale vide');
          const active = bool(get('active'), true);
          const estMOA = bool(get('estMOA'), false);
          const serviceRequired = bool(get('serviceRequired'), false);
          const engagementRequired = bool(get('engagementRequired'), false);
          const engagementOrServiceRequired = bool(get('engagementOrServiceRequired'), false);
          const serviceActive = bool(get('serviceActive'), true);
          if (active === null || estMOA === null || serviceRequired === null || engagementRequired === null || engagementOrServiceRequired === null || serviceActive === null) {
            return reject('Valeur oui/non (ou ACTIF/INACTIF) attendue');
          }
          const serviceCode = get('serviceCode');
          const service = serviceCode ? [{ code: serviceCode, label: get('serviceLabel') || serviceCode, active: serviceActive }] : [];
          if (current && current.siret === siret) {
            current.services!.push(...service);
            return;
          }
          if (current) batch.push(current);
          const idCpp = Number(get('idStructureCpp'));
          current = {
            siret,
            name: nameValue,
            active,
            estMOA,
            serviceRequired,
            engagementRequired,
            engagementOrServiceRequired,
            idStructureCpp: Number.isFinite(idCpp) && idCpp > 0 ? idCpp : null,
            services: service,
          };
          report.services += service.length;
          if (batch.length >= batchSize) await flush();
        })().then(() => done(), done);
      },
    });
    const { text, head } = await decodeTextStream(input, options.encoding);
    await pipeline(
      text,
      parse({ delimiter: sniffDelimiter(head), bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }),
      sink,
    );
    await flush();
  }

  private eachZipCsv(path: string, onEntry: (name: string, stream: Readable) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
        if (err || !zip) return reject(new DomainError('DIRECTORY_ZIP_INVALID', `Archive ZIP illisible : ${err?.message ?? path}`));
        let found = 0;
        zip.on('entry', (entry: yauzl.Entry) => {
          if (/\/$/.test(entry.fileName) || !/\.(csv|txt)$/i.test(entry.fileName)) return zip.readEntry();
          found++;
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return reject(e);
            onEntry(entry.fileName, stream).then(() => zip.readEntry(), reject);
          });
        });
        zip.on('end', () => (found ? resolve() : reject(new DomainError('DIRECTORY_ZIP_EMPTY', `Aucun fichier CSV dans ${path}`))));
        zip.on('error', reject);
        zip.readEntry();
      });
    });
  }
}
