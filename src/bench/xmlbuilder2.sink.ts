import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { XmlSink } from '@/pes/pes-xml.writer';

/**
 * The same documents through xmlbuilder2: the PES bench's reference (its bare serialisation). Here, not beside the
 * writer, so that the service never loads xmlbuilder2.
 */
export class Xmlbuilder2Sink implements XmlSink {
  private readonly doc: XMLBuilder = create({ version: '1.0', encoding: 'UTF-8' });
  private node: XMLBuilder = this.doc;

  open(name: string, attrs?: Record<string, string>): void {
    this.node = this.node.ele(name, attrs);
  }
  leaf(name: string, value: string): void {
    this.node.ele(name).att('V', value);
  }
  textElement(name: string, attrs: Record<string, string>, text: string): void {
    this.node.ele(name, attrs).txt(text);
  }
  close(): void {
    this.node = this.node.up();
  }
  end(): string {
    return this.doc.end({ prettyPrint: false });
  }
}
