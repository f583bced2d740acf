// Small but valid one-page PDF (Helvetica, WinAnsi text), optionally padded up to a requested size with comment
// lines of high bytes (right after the header, so the xref offsets stay exact). High-byte padding barely
// compresses, so the zipped attachment keeps roughly the requested size, as real (already compressed) PDFs do.

const WIN_ANSI_EXTRA: Record<string, number> = { '€': 0x80, '’': 0x27, 'œ': 0x9c, 'Œ': 0x8c, '…': 0x85, '–': 0x96, '—': 0x97 };

/** Text → bytes of a PDF literal string (WinAnsiEncoding, octal escapes outside ASCII). */
function pdfString(text: string): string {
  let out = '(';
  for (const ch of text) {
    let code = WIN_ANSI_EXTRA[ch] ?? ch.codePointAt(0) ?? 63;
    if (code > 0xff) code = 63; // '?'
    if (ch === '(' || ch === ')' || ch === '\\') out += '\\' + ch;
    else if (code < 0x20 || code > 0x7e) out += '\\' + code.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + ')';
}

export interface DemoPdfOptions {
  /** Text lines printed on the page, the first one larger (e.g. « Facture N° FA-2025-000123 »). */
  lines: string[];
  /** Total size to reach, in bytes; ignored when smaller than the bare PDF. */
  sizeBytes?: number;
  /** Source of padding bytes (any bytes; only their values modulo 128 matter). */
  padding?: { source: Buffer; offset: number };
}

const HEADER = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');

export function buildDemoPdf(options: DemoPdfOptions): Buffer {
  const [title, ...rest] = options.lines;
  let content = `BT /F1 16 Tf 56 780 Td ${pdfString(title ?? '')} Tj ET\n`;
  rest.forEach((line, i) => {
    content += `BT /F1 10 Tf 56 ${750 - i * 16} Td ${pdfString(line)} Tj ET\n`;
  });
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
  ];
  const body = objects.map((o, i) => `${i + 1} 0 obj\n${o}\nendobj\n`);
  const bodyLength = body.reduce((n, b) => n + Buffer.byteLength(b, 'latin1'), 0);
  // xref and trailer lengths depend on the startxref offset's digit count: compute with a generous estimate.
  const xrefLength = 'xref\n0 6\n'.length + 6 * 20 + 'trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n'.length + '\n%%EOF\n'.length;
  const bare = HEADER.length + bodyLength + xrefLength;
  let paddingLength = 0;
  if (options.sizeBytes && options.sizeBytes > bare) {
    paddingLength = options.sizeBytes - bare;
    // startxref's digits are part of the size too.
    paddingLength -= String(HEADER.length + paddingLength + bodyLength).length;
    if (paddingLength < 0) paddingLength = 0;
  }
  const padding = buildPadding(paddingLength, options.padding);

  let offset = HEADER.length + padding.length;
  const offsets: number[] = [];
  for (const b of body) {
    offsets.push(offset);
    offset += Buffer.byteLength(b, 'latin1');
  }
  let xref = 'xref\n0 6\n0000000000 65535 f \n';
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`;
  return Buffer.concat([HEADER, padding, Buffer.from(body.join('') + xref, 'latin1')]);
}

/** Comment lines "%<bytes ≥ 0x80>\n" (never a CR/LF inside), exactly `length` bytes long. */
function buildPadding(length: number, source?: { source: Buffer; offset: number }): Buffer {
  const out = Buffer.alloc(length);
  if (length === 0) return out;
  if (source && source.source.length > 0) {
    const src = source.source;
    let start = source.offset % src.length;
    let pos = 0;
    while (pos < length) {
      const n = Math.min(length - pos, src.length - start);
      src.copy(out, pos, start, start + n);
      pos += n;
      start = 0;
    }
    for (let i = 0; i < length; i++) out[i] |= 0x80;
  } else {
    out.fill(0xa0); // non-breaking spaces: valid comment bytes
  }
  for (let i = 0; i < length; i += 100) out[i] = 0x25; // '%' opens each comment line
  for (let i = 99; i < length; i += 100) out[i] = 0x0a;
  out[length - 1] = 0x0a;
  return out;
}
