/**
 * Incremental, strict base64 decoder for PJ/Contenu (xs:string holding base64, possibly wrapped with line breaks).
 * Node's `Buffer.from(s, 'base64')` silently skips invalid characters, which would turn a corrupted attachment
 * into a "valid" but different file: we reject anything but the base64 alphabet, `=` padding and XML whitespace.
 */
export class Base64StreamDecoder {
  private carry = '';
  private paddingSeen = false;
  private totalChars = 0;
  private invalidReason: string | undefined;

  /** Why the content is not valid base64, once known (decoding then stops producing bytes). */
  get error(): string | undefined {
    return this.invalidReason;
  }

  /** Decodes a chunk of ASCII bytes; returns the bytes that are complete so far (may be empty). */
  write(chunk: Buffer): Buffer {
    if (this.invalidReason !== undefined || chunk.length === 0) return EMPTY;
    const raw = chunk.toString('latin1');
    if (INVALID_CHAR.test(raw)) return this.fail('caractère interdit dans un contenu base64');
    const text = WHITESPACE.test(raw) ? raw.replace(WHITESPACE_ALL, '') : raw;
    if (text.length === 0) return EMPTY;
    // `=` may only appear as the final padding: nothing but more `=` may follow it.
    if (this.paddingSeen && !ONLY_PADDING.test(text)) return this.fail('données après le bourrage « = »');
    const pad = text.indexOf('=');
    if (pad >= 0) {
      if (!ONLY_PADDING.test(text.slice(pad))) return this.fail('données après le bourrage « = »');
      this.paddingSeen = true;
    }
    this.totalChars += text.length;
    const all = this.carry + text;
    const usable = all.length - (all.length % 4);
    this.carry = all.slice(usable);
    return usable === 0 ? EMPTY : Buffer.from(all.slice(0, usable), 'base64');
  }

  /** Flushes the last group; unpadded endings (2 or 3 chars) are tolerated, a lone char is not. */
  end(): Buffer {
    if (this.invalidReason !== undefined) return EMPTY;
    if (this.paddingSeen && this.totalChars % 4 !== 0) return this.fail('longueur base64 incohérente avec le bourrage');
    if (this.carry.length === 1) return this.fail('longueur base64 invalide');
    const rest = this.carry;
    this.carry = '';
    return rest.length === 0 ? EMPTY : Buffer.from(rest, 'base64');
  }

  /** Marks the content invalid for a reason found outside the decoder (e.g. an entity inside Contenu). */
  fail(reason: string): Buffer {
    this.invalidReason ??= reason;
    this.carry = '';
    return EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);
const INVALID_CHAR = /[^A-Za-z0-9+/=\t\n\r ]/;
const WHITESPACE = /[\t\n\r ]/;
const WHITESPACE_ALL = /[\t\n\r ]+/g;
const ONLY_PADDING = /^=*$/;
