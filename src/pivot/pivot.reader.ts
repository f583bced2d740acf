import { promises as fs } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { FileStore, ObjectWriter } from '@/storage/file-store.port';
import { ContenuExtractorTransform } from '@/pivot/contenu-extractor.transform';
import { MappedAttachment, PivotInvoiceMapper } from '@/pivot/pivot-invoice.mapper';
import { CollectedItem, PivotTreeCollector } from '@/pivot/pivot-tree.collector';
import { PivotAttachment, PivotEvent, PivotFlowError, PivotInvoice } from '@/pivot/pivot.types';
import { XML_DECLARATION_PROBE_BYTES, XmlTextDecoder } from '@/pivot/xml-text.decoder';
import { ZipAttachmentExtractor } from '@/pivot/zip-attachment.extractor';

export const DEFAULT_MAX_FLOW_BYTES = 150 * 1024 * 1024;
/** Longest text node / tag / comment allowed outside Contenu (saxes buffers them whole). */
export const MAX_NODE_BYTES = 8 * 1024 * 1024;

export interface PivotReadOptions {
  /** Where attachments are stored (and where temp files are created). */
  store: FileStore;
  /**
   * Where attachments are put instead of `store`, e.g. a `store.batch()` the caller commits before referencing them.
   */
  attachments?: ObjectWriter;
  /** Decoded Contenu bytes held in memory at once before spilling to temp files (default 4 MB). */
  contenuMemoryBytes?: number;
  /** Raw flow size limit, default 150 MB (FLOW_TOO_LARGE beyond). */
  maxFlowBytes?: number;
  /** Inflated size limit of one attachment, default 200 MB (that attachment becomes unreadable beyond). */
  maxAttachmentBytes?: number;
  /**
   * Why a mapped invoice cannot be stored (a value longer than its column …), or undefined: the caller's storage
   * limits, checked before its attachments are unzipped. Such an invoice is yielded as INVOICE_UNREADABLE.
   */
  unstorable?: (invoice: PivotInvoice) => string | undefined;
}

/**
 * Streaming reader of a Chorus Pro flux pivot (CPPFacturePivot V1_20 … V2_02).
 *
 * Yields `envelope` first, then one `invoice` or `invoice-error` per CPPFacturePivotUnitaire, in document order;
 * attachments are unzipped into the FileStore as their invoice is yielded. Throws PivotFlowError when the flow as a
 * whole is not a readable pivot.
 *
 * Such an error can come AFTER events have been yielded (a truncated or malformed tail is only seen when reached,
 * FLOW_TOO_LARGE when the limit is crossed): the caller must buffer the events and store nothing from a flow that
 * ended in an error. Attachments already put in the content-addressed store are harmless (unreferenced objects).
 */
export class PivotReader {
  private readonly extractor: ZipAttachmentExtractor;
  private readonly mapper = new PivotInvoiceMapper();

  constructor(extractor?: ZipAttachmentExtractor) {
    this.extractor = extractor ?? new ZipAttachmentExtractor();
  }

  /** `input`: a stream, or a flow already in memory (the pull's small flows: no stream plumbing per flow). */
  async *read(input: Readable | Buffer, options: PivotReadOptions): AsyncGenerator<PivotEvent> {
    const scanner = new ContenuExtractorTransform({
      tempPath: () => options.store.tempPath('.zip'),
      maxInputBytes: options.maxFlowBytes ?? DEFAULT_MAX_FLOW_BYTES,
      maxNodeBytes: MAX_NODE_BYTES,
      memoryBytes: options.contenuMemoryBytes,
    });
    // pipeline() forwards input errors to the scanner (the for-await below throws them) and destroys the input
    // if we stop early. A buffer is written at once: pipeline's signals and listeners cost more than a small flow's parse.
    if (Buffer.isBuffer(input)) scanner.end(input);
    else pipeline(input, scanner, () => undefined);
    const collector = new PivotTreeCollector();
    let decoder: XmlTextDecoder | undefined;
    let head: Buffer[] = [];
    let headLength = 0;
    try {
      for await (const chunk of scanner as AsyncIterable<Buffer>) {
        if (decoder) {
          collector.write(decoder.write(chunk));
        } else {
          // The encoding is only known once the XML declaration has been seen.
          head.push(chunk);
          headLength += chunk.length;
          if (headLength < XML_DECLARATION_PROBE_BYTES) continue;
          const bytes = Buffer.concat(head);
          head = [];
          decoder = XmlTextDecoder.fromHead(bytes);
          collector.write(decoder.write(bytes));
        }
        yield* this.drain(collector, scanner, options);
      }
      if (!decoder) {
        const bytes = Buffer.concat(head);
        if (bytes.toString('latin1').trim() === '') {
          throw new PivotFlowError('EMPTY_FILE', 'Le fichier du flux est vide');
        }
        decoder = XmlTextDecoder.fromHead(bytes);
        collector.write(decoder.write(bytes));
      }
      collector.write(decoder.end());
      collector.close();
      yield* this.drain(collector, scanner, options);
    } finally {
      scanner.destroy();
      await Promise.all(scanner.tempPaths.map((path) => fs.rm(path, { force: true })));
    }
  }

  private async *drain(
    collector: PivotTreeCollector,
    scanner: ContenuExtractorTransform,
    options: PivotReadOptions,
  ): AsyncGenerator<PivotEvent> {
    let item: CollectedItem | undefined;
    while ((item = collector.items.shift()) !== undefined) {
      if (item.kind === 'envelope') {
        yield { kind: 'envelope', envelope: this.mapper.mapEnvelope(item.units, item.context) };
        continue;
      }
      let mapping = this.mapper.mapInvoice(item.node, item.position);
      const unstorable = mapping.ok ? options.unstorable?.(mapping.invoice) : undefined;
      if (mapping.ok && unstorable !== undefined) {
        const refs = mapping.attachments.flatMap((a) => (a.contenuRef === undefined ? [] : [a.contenuRef]));
        mapping = { ok: false, numOrdre: mapping.invoice.numOrdre, number: mapping.invoice.number, message: unstorable, contenuRefs: refs };
      }
      if (!mapping.ok) {
        for (const ref of mapping.contenuRefs) await discard(scanner, ref);
        yield {
          kind: 'invoice-error',
          numOrdre: mapping.numOrdre,
          ...(mapping.number !== undefined ? { number: mapping.number } : {}),
          code: 'INVOICE_UNREADABLE',
          message: `Facture illisible : ${mapping.message}`,
        };
        continue;
      }
      for (const mapped of mapping.attachments) await this.fillContent(mapped, scanner, options);
      yield { kind: 'invoice', invoice: mapping.invoice };
    }
  }

  private async fillContent(
    { attachment, contenuRef }: MappedAttachment,
    scanner: ContenuExtractorTransform,
    options: PivotReadOptions,
  ): Promise<void> {
    if (contenuRef === undefined) return;
    const contenu = scanner.takeContenu(contenuRef);
    if (!contenu) return;
    try {
      await contenu.closed;
      // An empty Contenu is treated like an absent one (the PJ may be known by IdUnique only).
      if (contenu.error) setError(attachment, `Pièce jointe illisible : contenu base64 invalide (${contenu.error})`);
      else if (contenu.size > 0 && (contenu.data || contenu.path)) {
        const zipOptions = { store: options.attachments ?? options.store, maxAttachmentBytes: options.maxAttachmentBytes };
        const result = contenu.data
          ? await this.extractor.extractBuffer(contenu.data, zipOptions)
          : await this.extractor.extract(contenu.path!, zipOptions);
        if (result.ok) attachment.content = result.content;
        else setError(attachment, result.message);
      }
    } finally {
      if (contenu.path) await fs.rm(contenu.path, { force: true });
    }
  }
}

function setError(attachment: PivotAttachment, message: string): void {
  attachment.content = null;
  attachment.error = { code: 'ATTACHMENT_UNREADABLE', message };
}

async function discard(scanner: ContenuExtractorTransform, ref: number): Promise<void> {
  const contenu = scanner.takeContenu(ref);
  if (!contenu?.path) return;
  await contenu.closed;
  await fs.rm(contenu.path, { force: true });
}
