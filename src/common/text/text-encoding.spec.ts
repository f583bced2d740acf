import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { decodeTextStream, detectTextEncoding, parseTextEncoding } from '@/common/text/text-encoding';

const text = 'ref;objet\nT1;Redevance d’occupation — été 2025 € é à ç\n';

async function decode(bytes: Buffer, encoding?: Parameters<typeof decodeTextStream>[1]): Promise<string> {
  const { text: out } = await decodeTextStream(Readable.from([bytes]), encoding);
  let s = '';
  for await (const chunk of out) s += chunk;
  return s;
}

describe('text encoding detection', () => {
  it('reads UTF-8 with or without BOM, Windows-1252 / ISO-8859-1, UTF-16 with BOM', async () => {
    expect(await decode(Buffer.from(text, 'utf8'))).toBe(text);
    expect(await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toBe(text);
    expect(await decode(iconv.encode(text, 'windows-1252'))).toBe(text);
    expect(await decode(iconv.encode('ref;objet\nT1;été\n', 'latin1'))).toBe('ref;objet\nT1;été\n');
    expect(await decode(iconv.encode(text, 'utf16le', { addBOM: true }))).toBe(text);
    expect(await decode(iconv.encode(text, 'utf16-be', { addBOM: true }))).toBe(text);
    expect(detectTextEncoding(iconv.encode('ref;objet\n', 'utf16le'))).toBe('utf16le');
  });

  it('takes the encoding given over detection, and refuses an unknown one in French', async () => {
    expect(await decode(Buffer.from('été', 'utf8'), 'latin1')).toBe('Ã©tÃ©');
    expect(parseTextEncoding('ISO-8859-1')).toBe('latin1');
    expect(() => parseTextEncoding('ebcdic')).toThrow('Encodage inconnu : « ebcdic »');
  });
});
