import { sniffAttachment, SNIFF_BYTES } from '@/invoices/attachment-kind';

describe('sniffAttachment: the kind comes from the bytes, never from what the supplier declared', () => {
  const text = (s: string) => Buffer.from(s, 'utf8');

  it('recognises PDF, PNG and JPEG by their signature at offset 0', () => {
    expect(sniffAttachment(text('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe('pdf');
    expect(sniffAttachment(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toBe('png');
    expect(sniffAttachment(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('jpeg');
    expect(sniffAttachment(text(' %PDF-1.7'))).toBe('text'); // not a PDF for a browser either
  });

  it('treats markup as not plain text: HTML, SVG, XML go to the download path', () => {
    for (const markup of [
      '<!doctype html><script>fetch("/api/users/me")</script>',
      '\n\n  <html><body onload="alert(1)">',
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '\uFEFF<svg onload="alert(1)"/>',
      '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
    ]) {
      expect(sniffAttachment(text(markup))).toBe('other');
    }
  });

  it('accepts UTF-8 text (a CSV, a note), refuses binary and other encodings', () => {
    expect(sniffAttachment(text('Désignation;Quantité;Prix\r\nCâble;3;12,50\r\n'))).toBe('text');
    expect(sniffAttachment(text('\uFEFFReçu le 12/03'))).toBe('text');
    expect(sniffAttachment(Buffer.from('Reçu', 'latin1'))).toBe('other');
    expect(sniffAttachment(Buffer.from('PK\u0003\u0004rest', 'latin1'))).toBe('other');
    expect(sniffAttachment(Buffer.from('ab\u0000cd'))).toBe('other');
    expect(sniffAttachment(Buffer.alloc(0))).toBe('other');
  });

  it('does not refuse a text whose last character is cut by the sample', () => {
    const sample = Buffer.from(`a${'é'.repeat(SNIFF_BYTES)}`, 'utf8').subarray(0, SNIFF_BYTES);
    expect(sample[SNIFF_BYTES - 1]).toBe(0xc3); // the lead byte of « é », its second byte left out
    expect(sniffAttachment(sample)).toBe('text');
  });
});
