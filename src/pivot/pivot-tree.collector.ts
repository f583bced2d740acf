import { SaxesParser } from 'saxes';
import { EnvelopeContext, PivotXmlNode } from '@/pivot/pivot-invoice.mapper';
import { PivotFlowError } from '@/pivot/pivot.types';

export type CollectedItem =
  | { kind: 'envelope'; units: PivotXmlNode[]; context: EnvelopeContext }
  | { kind: 'invoice'; node: PivotXmlNode; position: number };

const ROOT = 'CPPFacturePivot';

/**
 * Drives saxes and cuts the document into small trees: each Enveloppe/EnveloppeUnitaire and each
 * CPPFactures/CPPFacturePivotUnitaire (its Contenu already replaced by a placeholder upstream), so memory stays
 * proportional to one invoice. Items are queued in document order; the envelope is queued when CPPFactures opens,
 * because its Compteur attribute belongs to the envelope event.
 */
export class PivotTreeCollector {
  readonly items: CollectedItem[] = [];
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly path: string[] = [];
  private readonly open: PivotXmlNode[] = [];
  private readonly units: PivotXmlNode[] = [];
  private readonly context: EnvelopeContext = {};
  private envelopeQueued = false;
  private invoiceCount = 0;
  private rootSeen = false;
  private closing = false;

  constructor() {
    this.parser.on('doctype', () => {
      throw new PivotFlowError('DTD_FORBIDDEN', 'Les déclarations DOCTYPE/ENTITY sont interdites dans un flux pivot');
    });
    this.parser.on('error', (err) => {
      throw this.closing
        ? new PivotFlowError('TRUNCATED_XML', `Flux XML tronqué ou incomplet : ${err.message}`)
        : new PivotFlowError('MALFORMED_XML', `XML mal formé : ${err.message}`);
    });
    this.parser.on('opentag', (tag) => this.onOpen(tag.name, tag.attributes));
    this.parser.on('closetag', (tag) => this.onClose(tag.name));
    this.parser.on('text', (text) => this.onText(text));
    this.parser.on('cdata', (text) => this.onText(text));
  }

  write(text: string): void {
    if (text.length > 0) this.parser.write(text);
  }

  close(): void {
    this.closing = true;
    if (!this.rootSeen) throw new PivotFlowError('EMPTY_FILE', 'Le fichier ne contient aucun élément XML');
    this.parser.close();
  }

  private onOpen(name: string, attributes: Record<string, string>): void {
    const depth = this.path.length;
    this.path.push(name);
    if (depth === 0) {
      this.rootSeen = true;
      if (name !== ROOT) {
        throw new PivotFlowError(
          'WRONG_ROOT',
          `Élément racine « ${name} » inattendu : ${ROOT} attendu (flux pivot Chorus Pro)`,
        );
      }
      this.readRootAttributes(attributes);
      return;
    }
    if (this.open.length > 0) {
      const node: PivotXmlNode = { name, attributes, children: [], text: '' };
      this.open[this.open.length - 1].children.push(node);
      this.open.push(node);
      return;
    }
    const parent = this.path[depth - 1];
    if ((name === 'EnveloppeUnitaire' && parent === 'Enveloppe' && depth === 2) ||
        (name === 'CPPFacturePivotUnitaire' && parent === 'CPPFactures' && depth === 2)) {
      this.open.push({ name, attributes, children: [], text: '' });
    } else if (name === 'CPPFactures' && depth === 1) {
      const counter = attributes.Compteur?.trim();
      if (counter !== undefined && /^\d+$/.test(counter)) this.context.declaredCount = Number(counter);
      this.queueEnvelope();
    }
  }

  private onClose(name: string): void {
    this.path.pop();
    if (this.open.length > 0) {
      const node = this.open.pop()!;
      if (this.open.length > 0) return;
      if (name === 'EnveloppeUnitaire') {
        if (!this.envelopeQueued) this.units.push(node);
      } else {
        this.invoiceCount += 1;
        this.items.push({ kind: 'invoice', node, position: this.invoiceCount });
      }
    } else if (this.path.length === 0) {
      this.queueEnvelope();
    }
  }

  private onText(text: string): void {
    const node = this.open[this.open.length - 1];
    // Whitespace between child elements is indentation (no mixed content in the pivot XSD): not worth keeping.
    if (node && (node.children.length === 0 || text.trim() !== '')) node.text += text;
  }

  private queueEnvelope(): void {
    if (this.envelopeQueued) return;
    this.envelopeQueued = true;
    this.items.push({ kind: 'envelope', units: this.units, context: this.context });
  }

  /** Version (V2_02 attribute) or a guess from xsi:noNamespaceSchemaLocation ("CPPFacturePivot_V1_22.xsd"). */
  private readRootAttributes(attributes: Record<string, string>): void {
    const schemaKey = Object.keys(attributes).find(
      (key) => key === 'noNamespaceSchemaLocation' || key.endsWith(':noNamespaceSchemaLocation'),
    );
    const schemaLocation = schemaKey ? attributes[schemaKey].trim() || undefined : undefined;
    const declared = attributes.Version?.trim();
    const guessed = schemaLocation ? /V(\d+)_(\d+)/.exec(schemaLocation) : null;
    if (schemaLocation) this.context.schemaLocation = schemaLocation;
    const version = declared || (guessed ? `V${guessed[1]}_${guessed[2]}` : undefined);
    if (version) this.context.version = version;
  }
}
