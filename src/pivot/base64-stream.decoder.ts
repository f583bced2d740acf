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
    const plain = this.paddingSeen ? undefined : this.decodePlain(chunk);
    if (plain) return plain;
    const text = this.checked(chunk.toString('latin1'));
    if (text === undefined || text.length === 0) return EMPTY;
    this.totalChars += text.length;
    const all = this.carry + text;
    const usable = all.length - (all.length % 4);
    this.carry = all.slice(usable);
    return usable === 0 ? EMPTY : Buffer.from(all.slice(0, usable), 'base64');
  }

  /**
   * The usual chunk: the alphabet only, padding at most at its very end. Checked without a scan of our own (a regular
   * expression over every PJ was the reader's costliest step): Node's decoder skips any character outside the
   * alphabet, so a stray one shows as a shorter output — except base64url's `-` and `_`, which it accepts and which
   * are looked for with two memchr. Anything unusual (whitespace, misplaced `=`, bad bytes) returns undefined and
   * goes through `checked`, which says what is wrong.
   */
  private decodePlain(chunk: Buffer): Buffer | undefined {
    if (chunk.indexOf(DASH) >= 0 || chunk.indexOf(UNDERSCORE) >= 0) return undefined;
    const text = this.carry + chunk.toString('latin1');
    const pads = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    if (pads > 0 && text.length % 4 !== 0) return undefined;
    const usable = text.length - (text.length % 4);
    const carry = text.slice(usable);
    if (!ALPHABET_ONLY.test(carry)) return undefined; // the ≤ 3 characters kept for the next chunk are not decoded yet
    const bytes = usable === 0 ? EMPTY : Buffer.from(usable === text.length ? text : text.slice(0, usable), 'base64');
    if (bytes.length !== (usable / 4) * 3 - pads) return undefined;
    this.carry = carry;
    this.totalChars += chunk.length;
    if (pads > 0) this.paddingSeen = true;
    return bytes;
  }

  /** A chunk holding something else than the alphabet: whitespace is dropped, padding checked, anything else fails. */
  private checked(raw: string): string | undefined {
    if (INVALID_CHAR.test(raw)) {
      this.fail('caractère interdit dans un contenu base64');
      return undefined;
    }
    const text = WHITESPACE.test(raw) ? raw.replace(WHITESPACE_ALL, '') : raw;
    // `=` may only appear as the final padding: nothing but more `=` may follow it.
    if (this.paddingSeen && !ONLY_PADDING.test(text)) {
      this.fail('données après le bourrage « = »');
      return undefined;
    }
    const pad = text.indexOf('=');
    if (pad >= 0) {
      if (!ONLY_PADDING.test(text.slice(pad))) {
        this.fail('données après le bourrage « = »');
        return undefined;
      }
      this.paddingSeen = true;
    }
    return text;
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
const DASH = 0x2d;
const UNDERSCORE = 0x5f;
const ALPHABET_ONLY = /^[A-Za-z0-9+/]*$/;
const INVALID_CHAR = /[^A-Za-z0-9+/=\t\n\r ]/;
const WHITESPACE = /[\t\n\r ]/;
const WHITESPACE_ALL = /[\t\n\r ]+/g;
const ONLY_PADDING = /^=*$/;
