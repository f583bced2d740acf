/**
 * What the PES flow builder writes to. PES puts every value in a `V` attribute (`<IdPce V="345"/>`), so
 * besides nesting there is one kind of leaf, plus the base64 text of a PES_PJ `Fichier`.
 */
export interface XmlSink {
  open(name: string, attrs?: Record<string, string>): void;
  /** `<name V="value"/>` */
  leaf(name: string, value: string): void;
  /** `<name attrs…>text</name>` (text already safe: base64). */
  textElement(name: string, attrs: Record<string, string>, text: string): void;
  close(): void;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** Attribute value escaping; characters XML 1.0 forbids (C0 controls) are dropped. */
export function escapeAttr(value: string): string {
  // eslint-disable-next-line no-control-regex -- XML 1.0 forbids C0 controls: they must be found to be dropped
  if (!/[&<>"\n\r\t\u0000-\u001f\ufffe\uffff]/.test(value)) return value;
  // eslint-disable-next-line no-control-regex -- same
  return value.replace(/[&<>"\n\r\t]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => ESCAPES[c] ?? '');
}

/**
 * Streaming string writer: appends to a buffer and hands chunks (≥ 64 KiB) to `onChunk`, so a 10,000-titre
 * flow never sits whole in memory. Element names are our own constants, never escaped.
 */
export class FastXmlWriter implements XmlSink {
  private buf = '';
  private readonly stack: string[] = [];

  constructor(private readonly onChunk?: (chunk: string) => void, declaration = true) {
    if (declaration) this.buf = '<?xml version="1.0" encoding="UTF-8"?>\n';
  }

  open(name: string, attrs?: Record<string, string>): void {
    let s = '<' + name;
    if (attrs) for (const k in attrs) s += ' ' + k + '="' + escapeAttr(attrs[k]) + '"';
    this.buf += this.stack.length <= 3 ? s + '>\n' : s + '>';
    this.stack.push(name);
  }

  leaf(name: string, value: string): void {
    this.buf += '<' + name + ' V="' + escapeAttr(value) + '"/>';
  }

  textElement(name: string, attrs: Record<string, string>, text: string): void {
    let s = '<' + name;
    for (const k in attrs) s += ' ' + k + '="' + escapeAttr(attrs[k]) + '"';
    this.buf += s + '>' + text + '</' + name + '>';
    this.maybeFlush();
  }

  close(): void {
    this.buf += '</' + this.stack.pop() + '>';
    // One line per piece, PJ, line of titre…: readable diffs and validation errors with useful line numbers.
    if (this.stack.length <= 4) {
      this.buf += '\n';
      this.maybeFlush();
    }
  }

  private maybeFlush(): void {
    if (this.onChunk && this.buf.length >= 65536) {
      this.onChunk(this.buf);
      this.buf = '';
    }
  }

  /** The rest of the document (all of it when no `onChunk` was given). */
  end(): string {
    if (this.stack.length) throw new Error(`XML non fermé : ${this.stack.join('/')}`);
    const rest = this.buf + '\n';
    this.buf = '';
    if (this.onChunk) {
      this.onChunk(rest);
      return '';
    }
    return rest;
  }
}
