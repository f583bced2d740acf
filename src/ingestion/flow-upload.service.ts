import { createWriteStream, promises as fs } from 'node:fs';
import { IncomingHttpHeaders } from 'node:http';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { DomainError } from '@/common/errors/domain.error';
import { AppConfig } from '@/config/app.config';
import { IngestionService } from '@/ingestion/ingestion.service';
import { ImportError, ImportReport } from '@/ingestion/ingestion.types';
import { FileStore } from '@/storage/file-store.port';

/** Files one upload may carry (Chorus Pro's portal downloads one ZIP, or a few XML). */
export const MAX_UPLOAD_FILES = 50;

export type UploadOutcome = 'integrated' | 'partial' | 'rejected' | 'alreadyImported' | 'alreadyRejected' | 'mixed';

/** What became of one uploaded file (a ZIP may hold several flows: `flows` counts them). */
export interface UploadFileResult {
  fileName: string;
  size: number;
  outcome: UploadOutcome;
  flows: ImportReport['flows'];
  invoices: ImportReport['invoices'];
  errors: ImportError[];
}

interface Received {
  fileName: string;
  path: string;
  size: number;
  tooLarge: boolean;
}

/**
 * « Mode portail » from the pages: pivot files (XML or ZIP) downloaded from Chorus Pro, sent by « Fichier… / Lecture ».
 * Each file is streamed to a temporary file in the store's volume (busboy; never held in memory), then imported by the
 * same code as the inbox and the CLI, one file after the other; the temporary copies are removed whatever happens.
 */
@Injectable()
export class FlowUploadService {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly store: FileStore,
    private readonly config: AppConfig,
  ) {}

  /** Per-file limit: the flow limit (MAX_FLOW_BYTES, 150 Mo by default, above Chorus Pro's 120 Mo). */
  get maxFileBytes(): number {
    return this.config.ingestion.maxFlowBytes;
  }

  /** `attributeTo`: SIRETs the uploaded flows are attributed to (the uploader's current structure). */
  async upload(body: Readable, headers: IncomingHttpHeaders, attributeTo: string[]): Promise<UploadFileResult[]> {
    if (!/^multipart\/form-data/i.test(String(headers['content-type'] ?? ''))) {
      throw new DomainError('UPLOAD_NOT_MULTIPART', 'Envoi de fichiers attendu (formulaire multipart/form-data, champ « files »)');
    }
    const dir = await this.store.tempPath('.upload');
    await fs.mkdir(dir, { recursive: true });
    try {
      const files = await this.receive(body, headers, dir);
      if (!files.length) throw new DomainError('UPLOAD_EMPTY', 'Aucun fichier reçu : choisissez un ou plusieurs flux pivot (XML ou ZIP)');
      const results: UploadFileResult[] = [];
      for (const file of files) results.push(await this.importOne(file, attributeTo));
      return results;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  private async importOne(file: Received, attributeTo: string[]): Promise<UploadFileResult> {
    if (file.tooLarge) {
      const message = `Fichier trop volumineux : ${Math.round(this.maxFileBytes / 1_000_000)} Mo au plus par fichier`;
      const flows = { integrated: 0, partial: 0, rejected: 1, alreadyImported: 0, alreadyRejected: 0 };
      return {
        fileName: file.fileName,
        size: file.size,
        outcome: 'rejected',
        flows,
        invoices: { created: 0, updated: 0, duplicates: 0, withAnomalies: 0 },
        errors: [{ file: file.fileName, invoice: null, code: 'FLOW_TOO_LARGE', message }],
      };
    }
    const report = await this.ingestion.importPaths([file.path], { source: 'upload', attributeTo });
    return { fileName: file.fileName, size: file.size, outcome: outcomeOf(report), flows: report.flows, invoices: report.invoices, errors: report.errors };
  }

  /** Streams every file part to `dir` under its (sanitised) name; resolves once all are on disk. */
  private receive(body: Readable, headers: IncomingHttpHeaders, dir: string): Promise<Received[]> {
    return new Promise((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers, limits: { files: MAX_UPLOAD_FILES, fileSize: this.maxFileBytes, fields: 20, parts: MAX_UPLOAD_FILES + 20 } });
      } catch (err) {
        reject(new DomainError('UPLOAD_INVALID', `Envoi illisible : ${(err as Error).message}`));
        return;
      }
      const received: Received[] = [];
      const writes: Array<Promise<void>> = [];
      const names = new Set<string>();
      let failed = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        body.unpipe(parser);
        body.resume();
        reject(err instanceof DomainError ? err : new DomainError('UPLOAD_INVALID', `Envoi interrompu ou illisible : ${(err as Error).message}`));
      };
      parser.on('file', (_field, stream, info) => {
        const fileName = uniqueName(safeName(info.filename), names);
        const file: Received = { fileName, path: join(dir, fileName), size: 0, tooLarge: false };
        received.push(file);
        stream.on('data', (chunk: Buffer) => (file.size += chunk.length));
        // Beyond the limit busboy stops the part: the partial file is dropped, the file reported too large.
        stream.on('limit', () => (file.tooLarge = true));
        const written = pipeline(stream, createWriteStream(file.path)).then(async () => {
          if (file.tooLarge) await fs.rm(file.path, { force: true });
        });
        written.catch(fail); // a disk error or an aborted part fails the upload at once (never an unhandled rejection)
        writes.push(written);
      });
      parser.on('filesLimit', () => fail(new DomainError('UPLOAD_TOO_MANY_FILES', `${MAX_UPLOAD_FILES} fichiers au plus par envoi`)));
      parser.on('error', fail);
      parser.on('close', () => {
        Promise.all(writes).then(() => !failed && resolve(received), fail);
      });
      body.on('error', fail);
      // The browser went away mid-file: nothing is imported, the partial files go with the temporary folder.
      body.on('aborted', () => fail(new Error('connexion interrompue')));
      body.pipe(parser);
    });
  }
}

/** One outcome for a file: the same for all its flows, or « mixed » (a ZIP whose flows fared differently). */
export function outcomeOf(report: ImportReport): UploadOutcome {
  const kinds = (Object.keys(report.flows) as Array<keyof ImportReport['flows']>).filter((k) => report.flows[k] > 0);
  if (kinds.length === 1) return kinds[0];
  return kinds.length === 0 ? 'rejected' : 'mixed';
}

/** The base name only (no folder from the browser, no control characters), never a dotfile; 200 characters at most. */
export function safeName(raw: string | undefined): string {
  const base = basename(String(raw ?? '').replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  return [...(base || 'flux.xml')].slice(0, 200).join('');
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${i}-${name}`;
  taken.add(candidate);
  return candidate;
}
