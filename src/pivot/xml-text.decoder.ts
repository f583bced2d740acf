import * as iconv from 'iconv-lite';
import { TextDecoder } from 'node:util';
import { PivotFlowError } from '@/pivot/pivot.types';

/** Bytes needed at most to see the whole XML declaration (`<?xml version="1.0" encoding="…" standalone="…"?>`). */
export const XML_DECLARATION_PROBE_BYTES = 1024;

type Charset = 'utf-8' | 'windows-1252';

/**
 * Turns the flow's bytes into text for saxes, in the encoding given by the BOM or the XML declaration (XML 1.0 §4.3.3,
 * default UTF-8). Accepted: UTF-8 (and US-ASCII, a subset) and ISO-8859-1 under its usual spellings. ISO-8859-1
 * labels are decoded as windows-1252, like every browser does (WHATWG Encoding): identical except 0x80–0x9F, where
 * real-world "ISO-8859-1" files hold €, œ, ’… rather than C1 control characters.
 */
export class XmlTextDecoder {
  private readonly utf8?: TextDecoder;
  private readonly single?: iconv.DecoderStream;

  private constructor(readonly charset: Charset) {
    if (charset === 'utf-8') this.utf8 = new TextDecoder('utf-8', { fatal: true });
    else this.single = iconv.getDecoder('win1252');
  }

  /** `head` = the first bytes of the flow (at least XML_DECLARATION_PROBE_BYTES of them unless the flow is shorter). */
  static fromHead(head: Buffer): XmlTextDecoder {
    const utf8Bom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    if (utf8Bom) return new XmlTextDecoder('utf-8');
    if (
      (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) ||
      (head.length >= 2 && (head[0] === 0 || head[1] === 0))
    ) {
      throw new PivotFlowError('UNSUPPORTED_ENCODING', 'Encodage UTF-16/UTF-32 non pris en charge pour un flux pivot');
    }
    const text = head.toString('latin1');
    if (!text.startsWith('<?xml')) return new XmlTextDecoder('utf-8');
    const end = text.indexOf('?>');
    const declaration = end >= 0 ? text.slice(0, end) : text;
    const match = /\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(declaration);
    if (!match) return new XmlTextDecoder('utf-8');
    const label = (match[1] ?? match[2]).trim();
    const charset = CHARSETS[label.toLowerCase()];
    if (!charset) {
      throw new PivotFlowError(
        'UNSUPPORTED_ENCODING',
        `Encodage « ${label} » non pris en charge (UTF-8 ou ISO-8859-1 attendu)`,
      );
    }
    return new XmlTextDecoder(charset);
  }

  write(bytes: Buffer): string {
    if (this.single) return this.single.write(bytes);
    try {
      // The UTF-8 BOM is dropped by TextDecoder (ignoreBOM defaults to false).
      return this.utf8!.decode(bytes, { stream: true });
    } catch {
      throw invalidBytes();
    }
  }

  end(): string {
    if (this.single) return this.single.end() ?? '';
    try {
      return this.utf8!.decode();
    } catch {
      throw new PivotFlowError('TRUNCATED_XML', 'Flux tronqué au milieu d’un caractère UTF-8');
    }
  }
}

function invalidBytes(): PivotFlowError {
  return new PivotFlowError(
    'MALFORMED_XML',
    'Octets invalides pour l’encodage UTF-8 déclaré (fichier en ISO-8859-1 ?)',
  );
}

const CHARSETS: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso8859-1': 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso-ir-100': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  l1: 'windows-1252',
  cp819: 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'x-cp1252': 'windows-1252',
};
