import { randomBytes } from 'node:crypto';
import { Base64StreamDecoder } from '@/pivot/base64-stream.decoder';

/** Feeds `text` cut at the given offsets; returns the bytes and the error, as the Contenu extractor sees them. */
function decode(text: string, cuts: number[] = []): { bytes: Buffer; error?: string } {
  const decoder = new Base64StreamDecoder();
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(decoder.write(Buffer.from(text.slice(from, cut), 'latin1')));
    from = cut;
  }
  out.push(decoder.end());
  return { bytes: Buffer.concat(out), error: decoder.error };
}

describe('Base64StreamDecoder', () => {
  it.each([0, 1, 2, 3, 4, 5, 20_000, 20_001, 20_002])('decodes %i bytes exactly, whatever the chunking', (size) => {
    const data = randomBytes(size);
    const text = data.toString('base64');
    for (const cuts of [[], [1], [2, 3], [7, 8, 9, 10], [Math.floor(text.length / 2)], [text.length - 1], [text.length - 2]]) {
      const valid = cuts.filter((c) => c > 0 && c < text.length);
      const result = decode(text, valid);
      expect(result.error).toBeUndefined();
      expect(result.bytes.equals(data)).toBe(true);
    }
  });

  it('accepts XML whitespace and line wrapping, as in flows wrapped on 76 columns', () => {
    const data = randomBytes(3000);
    const wrapped = data.toString('base64').replace(/.{76}/g, '$&\r\n\t ');
    const result = decode(wrapped, [100, 101, 2000]);
    expect(result.error).toBeUndefined();
    expect(result.bytes.equals(data)).toBe(true);
  });

  it('accepts unpadded endings of 2 or 3 characters', () => {
    expect(decode('QUI').bytes.toString()).toBe('AB');
    expect(decode('QQ').bytes.toString()).toBe('A');
  });

  // Node's decoder alone would skip these characters (or read base64url), turning a damaged PJ into another file.
  it.each([
    ['a base64url dash', 'QUJD-EVG'],
    ['a base64url underscore', 'QUJD_EVG'],
    ['a stray symbol', 'QUJD*EVG'],
    ['a non-ASCII byte', 'QUJD\u00e9EVG'],
    ['padding in the middle', 'QQ==QUJD'],
    ['data after the padding, in a later chunk', 'QQ==', 'QUJD'],
    ['a lone final character', 'QUJDR'],
    ['padding not closing a group', 'QUJDRA='],
  ])('refuses %s', (_label, ...chunks) => {
    const decoder = new Base64StreamDecoder();
    for (const chunk of chunks) decoder.write(Buffer.from(chunk, 'latin1'));
    decoder.end();
    expect(decoder.error).toMatch(/base64|bourrage|caractère/);
  });

  it('stops producing bytes once the content is known to be invalid', () => {
    const decoder = new Base64StreamDecoder();
    decoder.write(Buffer.from('QUJD*'));
    expect(decoder.write(Buffer.from('QUJD')).length).toBe(0);
    expect(decoder.end().length).toBe(0);
  });
});
