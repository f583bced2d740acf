import { createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Transform, TransformCallback } from 'node:stream';
import { Base64StreamDecoder } from '@/pivot/base64-stream.decoder';
import { PivotFlowError } from '@/pivot/pivot.types';
import { formatBytes } from '@/common/money/french-format';

/** One PJ/Contenu taken out of the byte stream and decoded, in memory when small, else to a temp file. */
export interface ExtractedContenu {
  ref: number;
  /** The decoded bytes, when they fitted in the memory budget. */
  data?: Buffer;
  /** Temp file holding the decoded bytes (beyond the memory budget). The owner of the transform deletes it. */
  path?: string;
  /** Decoded bytes written. */
  size: number;
  /** Why the content is not valid base64 (French, lower case: a reason to embed in a message). */
  error?: string;
  /** Resolves once the temp file is fully written and closed. */
  closed: Promise<void>;
}

/** Default memory budget for decoded Contenus (held until their invoice is read), beyond which they go to temp files. */
export const DEFAULT_CONTENU_MEMORY_BYTES = 4 * 1024 * 1024;

export interface ContenuExtractorOptions {
  /** Fresh temp file path for one attachment (FileStore.tempPath). */
  tempPath: () => Promise<string>;
  /** Raw input bytes allowed (FLOW_TOO_LARGE beyond). */
  maxInputBytes: number;
  /**
   * Longest run of markup or text outside Contenu (text node, tag, comment, PI). saxes buffers each of these whole,
   * so a 100 MB comment or text node would defeat the streaming; no legitimate pivot element is anywhere near this.
   */
  maxNodeBytes: number;
  /**
   * Decoded bytes kept in memory at once, over all the Contenus not yet taken (default 4 MB): a typical PJ of a few
   * dozen KB then costs no file at all, while a large one (or many in one invoice) spills to a temp file, so memory
   * stays bounded whatever the flow holds.
   */
  memoryBytes?: number;
}

type Mode =
  | 'text'
  | 'comment'
  | 'cdata'
  | 'pi'
  | 'contenuStartTag'
  | 'contenuBody'
  | 'contenuCdata'
  | 'contenuComment'
  | 'contenuEndTag';

interface OpenSink {
  record: ExtractedContenu;
  decoder: Base64StreamDecoder;
  /** Decoded bytes while the Contenu still fits in memory. */
  chunks: Buffer[];
  file?: WriteStream;
}

/**
 * Byte-level filter in front of saxes. saxes buffers each text node whole, and a PJ/Contenu is base64 of up to
 * ~150 MB, so the base64 must never reach it: this transform finds `<Contenu …>…</Contenu>` in the raw bytes,
 * streams what is in between through a base64 decoder into a temp file, and emits a small placeholder
 * `<Contenu ref="N"/>` instead, keeping the document well formed for the parser.
 *
 * Working on bytes is safe for every accepted encoding (UTF-8, ISO-8859-1, windows-1252): they are ASCII-compatible
 * and, in UTF-8, bytes < 0x80 never occur inside a multibyte sequence, so `<` is always a real `<`. Comments,
 * CDATA sections and processing instructions are tracked so that a `<Contenu>` written inside them is left alone.
 * A DOCTYPE (or stray ENTITY declaration) is refused here already, before any internal subset gets buffered.
 *
 * Inside a Contenu: base64, whitespace, whitespace character references (`&#13;`), comments and CDATA sections are
 * accepted; another well-formed reference (`&amp;`) or bad base64 makes that attachment unreadable (not the flow);
 * an element or a malformed reference is MALFORMED_XML, as a missing `</Contenu>` would otherwise swallow the PJ.
 */
export class ContenuExtractorTransform extends Transform {
  private mode: Mode = 'text';
  private pending: Buffer = EMPTY;
  private inputBytes = 0;
  private runBytes = 0;
  private nextRef = 1;
  private sink: OpenSink | undefined;
  private tagQuote = 0;
  private tagLastNonSpace = 0;
  /** Line breaks swallowed with the current Contenu, given back after its placeholder so saxes line numbers hold. */
  private swallowedLines = 0;
  private readonly contenus = new Map<number, ExtractedContenu>();
  private readonly createdPaths: string[] = [];
  /** Decoded bytes held in memory: the open sink's chunks plus the in-memory Contenus not taken yet. */
  private memoryHeld = 0;
  private readonly memoryBytes: number;

  constructor(private readonly options: ContenuExtractorOptions) {
    super();
    this.memoryBytes = options.memoryBytes ?? DEFAULT_CONTENU_MEMORY_BYTES;
  }

  /** Removes and returns the record of placeholder `ref` (undefined if unknown or already taken). */
  takeContenu(ref: number): ExtractedContenu | undefined {
    const record = this.contenus.get(ref);
    this.contenus.delete(ref);
    if (record?.data) this.memoryHeld -= record.data.length;
    return record;
  }

  /** Every temp file created so far (for cleanup, whatever happened). */
  get tempPaths(): readonly string[] {
    return this.createdPaths;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.inputBytes += chunk.length;
    if (this.inputBytes > this.options.maxInputBytes) {
      callback(
        new PivotFlowError(
          'FLOW_TOO_LARGE',
          `Le flux dépasse la taille maximale autorisée de ${formatBytes(this.options.maxInputBytes)}`,
        ),
      );
      return;
    }
    this.process(chunk, false).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.process(EMPTY, true).then(() => {
      if (this.mode.startsWith('contenu')) {
        callback(new PivotFlowError('TRUNCATED_XML', 'Flux XML tronqué au milieu du contenu d’une pièce jointe'));
      } else callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.sink?.file?.destroy();
    this.sink = undefined;
    callback(error);
  }

  private async process(chunk: Buffer, final: boolean): Promise<void> {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = EMPTY;
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length) {
      switch (this.mode) {
        case 'text':
          i = this.scanText(buf, i, out, final);
          break;
        case 'comment':
        case 'cdata':
        case 'pi': {
          const terminator = this.mode === 'comment' ? COMMENT_END : this.mode === 'cdata' ? CDATA_END : PI_END;
          const { next, consumedTo } = this.scanUntil(buf, i, terminator, final);
          out.push(buf.subarray(i, consumedTo));
          this.countRun(consumedTo - i);
          if (next >= 0) {
            this.mode = 'text';
            this.runBytes = 0;
          }
          i = next >= 0 ? next : buf.length;
          break;
        }
        case 'contenuStartTag':
          i = await this.readContenuStartTag(buf, i, out);
          break;
        case 'contenuBody':
          i = await this.readContenuBody(buf, i, final);
          break;
        case 'contenuCdata': {
          const { next, consumedTo } = this.scanUntil(buf, i, CDATA_END, final);
          const dataEnd = next >= 0 ? next - CDATA_END.length : consumedTo;
          this.swallowedLines += countLines(buf, i, dataEnd);
          await this.writeBase64(buf.subarray(i, dataEnd));
          if (next >= 0) this.mode = 'contenuBody';
          i = next >= 0 ? next : buf.length;
          break;
        }
        case 'contenuComment': {
          const { next, consumedTo } = this.scanUntil(buf, i, COMMENT_END, final);
          this.swallowedLines += countLines(buf, i, consumedTo);
          if (next >= 0) this.mode = 'contenuBody';
          i = next >= 0 ? next : buf.length;
          break;
        }
        case 'contenuEndTag': {
          const b = buf[i];
          if (b === LF) this.swallowedLines += 1;
          if (b === GT) {
            await this.closeSink(out);
            this.mode = 'text';
          } else if (!isSpace(b)) {
            throw new PivotFlowError('MALFORMED_XML', 'XML mal formé : balise fermante </Contenu> invalide');
          }
          i += 1;
          break;
        }
      }
    }
    if (out.length > 0) {
      const data = out.length === 1 ? out[0] : Buffer.concat(out);
      if (data.length > 0) this.push(data);
    }
  }

  /**
   * Text mode: hops from `<` to `<` (native indexOf) without copying anything; only markup that needs handling (comment,
   * CDATA, PI, DOCTYPE, Contenu) cuts the output, so a flow's ordinary tags cost one lookup each. Returns the next index.
   */
  private scanText(buf: Buffer, start: number, out: Buffer[], final: boolean): number {
    let i = start;
    for (;;) {
      const lt = buf.indexOf(LT, i);
      if (lt < 0) {
        this.countRun(buf.length - i);
        out.push(buf.subarray(start));
        return buf.length;
      }
      this.countRun(lt - i);
      if (buf.length - lt < LOOKAHEAD && !final) {
        out.push(buf.subarray(start, lt));
        this.keepPending(buf, lt);
        return buf.length;
      }
      this.runBytes = 0;
      const next = this.openMarkup(buf, lt);
      if (next >= 0) {
        // Comments, CDATA and PIs go through to saxes unchanged; a Contenu start tag is replaced by its placeholder.
        out.push(buf.subarray(start, this.mode === 'contenuStartTag' ? lt : next));
        return next;
      }
      i = lt + 1;
    }
  }

  /**
   * At a `<` with enough lookahead: switches mode and returns the index after the markup's opening when it is a comment,
   * CDATA, PI or `<Contenu`; -1 for any other tag. Only `<!`, `<?` and `<C` can be one of those (one byte test).
   */
  private openMarkup(buf: Buffer, lt: number): number {
    const second = buf[lt + 1];
    if (second === BANG) {
      if (startsWith(buf, lt, COMMENT_START)) {
        this.mode = 'comment';
        return lt + COMMENT_START.length;
      }
      if (startsWith(buf, lt, CDATA_START)) {
        this.mode = 'cdata';
        return lt + CDATA_START.length;
      }
      // Any DTD may declare external entities (XXE) or nested ones (billion laughs): refused outright, never parsed.
      if (startsWithIgnoreCase(buf, lt, DOCTYPE) || startsWithIgnoreCase(buf, lt, ENTITY)) {
        throw new PivotFlowError('DTD_FORBIDDEN', 'Les déclarations DOCTYPE/ENTITY sont interdites dans un flux pivot');
      }
      return -1;
    }
    if (second === QUESTION) {
      this.mode = 'pi';
      return lt + PI_START.length;
    }
    if (second === UPPER_C && startsWith(buf, lt, CONTENU_OPEN) && isNameEnd(buf[lt + CONTENU_OPEN.length])) {
      this.mode = 'contenuStartTag';
      this.tagQuote = 0;
      this.tagLastNonSpace = 0;
      return lt + CONTENU_OPEN.length;
    }
    return -1;
  }

  /** Skips the attributes of `<Contenu …>` (quotes respected); the original attributes are dropped on purpose. */
  private async readContenuStartTag(buf: Buffer, start: number, out: Buffer[]): Promise<number> {
    let i = start;
    for (; i < buf.length; i++) {
      const b = buf[i];
      if (this.tagQuote !== 0) {
        if (b === this.tagQuote) this.tagQuote = 0;
      } else if (b === QUOT || b === APOS) {
        this.tagQuote = b;
      } else if (b === GT) {
        break;
      } else if (!isSpace(b)) {
        this.tagLastNonSpace = b;
      }
      if (b === LF) this.swallowedLines += 1;
    }
    this.countRun(i - start);
    if (i >= buf.length) return buf.length;
    this.runBytes = 0;
    const ref = this.nextRef++;
    if (this.tagLastNonSpace === SLASH) {
      const record: ExtractedContenu = { ref, size: 0, closed: Promise.resolve() };
      this.contenus.set(ref, record);
      out.push(this.placeholder(ref));
      this.mode = 'text';
    } else {
      await this.openSink(ref);
      this.mode = 'contenuBody';
    }
    return i + 1;
  }

  private async readContenuBody(buf: Buffer, start: number, final: boolean): Promise<number> {
    const lt = buf.indexOf(LT, start);
    const amp = buf.indexOf(AMP, start);
    const stop = lt < 0 ? amp : amp < 0 ? lt : Math.min(lt, amp);
    const dataEnd = stop < 0 ? buf.length : stop;
    this.swallowedLines += countLines(buf, start, dataEnd);
    await this.writeBase64(buf.subarray(start, dataEnd));
    if (stop < 0) return buf.length;
    if (buf.length - stop < LOOKAHEAD && !final) {
      this.keepPending(buf, stop);
      return buf.length;
    }
    const decoder = this.sink!.decoder;
    if (stop === amp) {
      // Some serializers escape line breaks as `&#13;`/`&#xD;`: whitespace is harmless in base64, anything else is not.
      const semi = buf.indexOf(SEMI, stop);
      const ref = semi > stop && semi - stop <= 10 ? buf.toString('latin1', stop, semi + 1) : '';
      if (!WELL_FORMED_REF.test(ref)) {
        throw new PivotFlowError('MALFORMED_XML', 'XML mal formé : référence d’entité invalide dans <Contenu>');
      }
      if (!WHITESPACE_CHAR_REF.test(ref)) decoder.fail('référence d’entité inattendue dans un contenu base64');
      return semi + 1;
    }
    if (startsWith(buf, stop, CONTENU_CLOSE) && isNameEnd(buf[stop + CONTENU_CLOSE.length])) {
      this.mode = 'contenuEndTag';
      return stop + CONTENU_CLOSE.length;
    }
    if (startsWith(buf, stop, CDATA_START)) {
      this.mode = 'contenuCdata';
      return stop + CDATA_START.length;
    }
    if (startsWith(buf, stop, COMMENT_START)) {
      this.mode = 'contenuComment';
      return stop + COMMENT_START.length;
    }
    // An element (or a missing </Contenu>) here: the structure around it can no longer be trusted.
    throw new PivotFlowError('MALFORMED_XML', 'XML mal formé : balise inattendue dans <Contenu> (texte base64 attendu)');
  }

  /**
   * Finds `terminator` from `start`. Returns `next` = index just after it (or -1) and `consumedTo` = how far the
   * caller may consume now; without a match, the last bytes that could begin the terminator are kept pending.
   */
  private scanUntil(buf: Buffer, start: number, terminator: Buffer, final: boolean) {
    const at = buf.indexOf(terminator, start);
    if (at >= 0) return { next: at + terminator.length, consumedTo: at + terminator.length };
    const keep = final ? 0 : Math.min(terminator.length - 1, buf.length - start);
    const consumedTo = buf.length - keep;
    if (keep > 0) this.keepPending(buf, consumedTo);
    return { next: -1, consumedTo };
  }

  /** Copies the few undecided trailing bytes (a subarray would pin the whole upstream chunk in memory). */
  private keepPending(buf: Buffer, from: number): void {
    this.pending = Buffer.from(buf.subarray(from));
  }

  private async openSink(ref: number): Promise<void> {
    const record: ExtractedContenu = { ref, size: 0, closed: Promise.resolve() };
    this.sink = { record, decoder: new Base64StreamDecoder(), chunks: [] };
  }

  /** The Contenu outgrows the memory budget: what was decoded so far moves to a temp file, the rest follows it. */
  private async spill(sink: OpenSink): Promise<void> {
    const path = await this.options.tempPath();
    this.createdPaths.push(path);
    const file = createWriteStream(path);
    // A disk error is an infrastructure failure, not a bad attachment: it aborts the read.
    file.on('error', (err) => this.destroy(err));
    sink.record.path = path;
    sink.record.closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
    sink.file = file;
    const held = sink.chunks;
    sink.chunks = [];
    for (const chunk of held) {
      this.memoryHeld -= chunk.length;
      if (!file.write(chunk)) await once(file, 'drain');
    }
  }

  private async writeBase64(data: Buffer): Promise<void> {
    const sink = this.sink!;
    // Decoded in slices: the decoder works on strings, and strings over ~512 KB would go to V8's large-object space,
    // freed only by a full GC — with 1 MB input chunks, a 100 MB attachment would then pile up garbage (RSS target).
    for (let at = 0; at < data.length; at += DECODE_SLICE_BYTES) {
      await this.writeDecoded(sink, sink.decoder.write(data.subarray(at, Math.min(at + DECODE_SLICE_BYTES, data.length))));
    }
  }

  private async writeDecoded(sink: OpenSink, bytes: Buffer): Promise<void> {
    if (bytes.length === 0 || sink.decoder.error) return;
    sink.record.size += bytes.length;
    if (!sink.file && this.memoryHeld + bytes.length > this.memoryBytes) await this.spill(sink);
    if (sink.file) {
      if (!sink.file.write(bytes)) await once(sink.file, 'drain');
      return;
    }
    sink.chunks.push(bytes);
    this.memoryHeld += bytes.length;
  }

  private async closeSink(out: Buffer[]): Promise<void> {
    const sink = this.sink!;
    this.sink = undefined;
    await this.writeDecoded(sink, sink.decoder.end());
    if (sink.decoder.error) sink.record.error = sink.decoder.error;
    if (sink.file) sink.file.end();
    else if (sink.record.error) this.memoryHeld -= sum(sink.chunks);
    else if (sink.chunks.length > 0) sink.record.data = sink.chunks.length === 1 ? sink.chunks[0] : Buffer.concat(sink.chunks);
    this.contenus.set(sink.record.ref, sink.record);
    out.push(this.placeholder(sink.record.ref));
  }

  /** What saxes sees instead of the Contenu (the trailing line breaks are ignorable whitespace inside PJ). */
  private placeholder(ref: number): Buffer {
    const lines = this.swallowedLines;
    this.swallowedLines = 0;
    return Buffer.from(`<Contenu ref="${ref}"/>${'\n'.repeat(lines)}`, 'latin1');
  }

  private countRun(bytes: number): void {
    this.runBytes += bytes;
    if (this.runBytes > this.options.maxNodeBytes) {
      throw new PivotFlowError(
        'FLOW_TOO_LARGE',
        `Nœud XML de plus de ${formatBytes(this.options.maxNodeBytes)} hors contenu de pièce jointe : lecture refusée`,
      );
    }
  }
}

function sum(chunks: Buffer[]): number {
  return chunks.reduce((n, c) => n + c.length, 0);
}

/** Counts LF bytes in buf[from, to). */
function countLines(buf: Buffer, from: number, to: number): number {
  let lines = 0;
  for (let at = buf.indexOf(LF, from); at >= 0 && at < to; at = buf.indexOf(LF, at + 1)) lines += 1;
  return lines;
}

function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  if (buf.length - at < prefix.length) return false;
  return buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

function startsWithIgnoreCase(buf: Buffer, at: number, prefix: Buffer): boolean {
  if (buf.length - at < prefix.length) return false;
  return buf.toString('latin1', at, at + prefix.length).toUpperCase() === prefix.toString('latin1');
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** After an element name: whitespace, `>` or `/` (so `<ContenuX>` is another element). */
function isNameEnd(b: number | undefined): boolean {
  return isSpace(b) || b === GT || b === SLASH;
}

const EMPTY = Buffer.alloc(0);
const DECODE_SLICE_BYTES = 64 * 1024;
const LT = 0x3c;
const LF = 0x0a;
const GT = 0x3e;
const AMP = 0x26;
const SEMI = 0x3b;
const SLASH = 0x2f;
const QUOT = 0x22;
const APOS = 0x27;
const BANG = 0x21;
const QUESTION = 0x3f;
const UPPER_C = 0x43;
const COMMENT_START = Buffer.from('<!--');
const COMMENT_END = Buffer.from('-->');
const CDATA_START = Buffer.from('<![CDATA[');
const CDATA_END = Buffer.from(']]>');
const PI_START = Buffer.from('<?');
const PI_END = Buffer.from('?>');
const DOCTYPE = Buffer.from('<!DOCTYPE');
const ENTITY = Buffer.from('<!ENTITY');
const CONTENU_OPEN = Buffer.from('<Contenu');
const CONTENU_CLOSE = Buffer.from('</Contenu');
/** Longest prefix we must see after a `<` to decide (`</Contenu` + one delimiter byte). */
const LOOKAHEAD = 12;
const WHITESPACE_CHAR_REF = /^&#(?:0*(?:9|10|13|32)|x0*(?:9|a|d|20));$/i;
/** Character references and the predefined entities: any other entity is undefined without a DTD. */
const WELL_FORMED_REF = /^&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);$/;
