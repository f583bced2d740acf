import {
  PivotAttachment,
  PivotDebtor,
  PivotEnvelope,
  PivotInvoice,
  PivotLine,
  PivotParameter,
  PivotPartner,
  PivotSupplier,
  PivotValidation,
  PivotVat,
} from '@/pivot/pivot.types';

/** Minimal element tree of one EnveloppeUnitaire or CPPFacturePivotUnitaire (Contenu replaced by a placeholder). */
export interface PivotXmlNode {
  name: string;
  attributes: Record<string, string>;
  children: PivotXmlNode[];
  text: string;
}

export interface MappedAttachment {
  attachment: PivotAttachment;
  /** Placeholder ref of its Contenu (see ContenuExtractorTransform), absent when the PJ has no Contenu. */
  contenuRef?: number;
}

export type InvoiceMapping =
  | { ok: true; invoice: PivotInvoice; attachments: MappedAttachment[] }
  | { ok: false; numOrdre: number; number?: string; message: string; contenuRefs: number[] };

/** Root-level facts the reader collected outside the unit trees. */
export interface EnvelopeContext {
  version?: string;
  schemaLocation?: string;
  declaredCount?: number;
}

/**
 * Maps element trees to the contract types, element by element of CPPFacturePivot V1_20 … V2_02 (V2_02 only adds
 * optional elements, so one mapping reads every version). Mandatory XSD data the contract cannot do without, or a
 * lexically invalid xs:decimal / xs:date / xs:integer, makes the invoice unreadable; the flow goes on.
 */
export class PivotInvoiceMapper {
  mapEnvelope(units: PivotXmlNode[], context: EnvelopeContext): PivotEnvelope {
    const parameters: PivotParameter[] = [];
    let sender: PivotPartner | undefined;
    let receiver: PivotPartner | undefined;
    for (const unit of units) {
      for (const param of children(child(unit, 'Parametres'), 'ParametreIndiv')) {
        const code = text(child(param, 'Code'));
        if (code === undefined) continue;
        parameters.push(
          compact({
            code,
            value: text(child(param, 'Valeurparametre')) ?? '',
            note: text(child(param, 'Note')),
            numOrdre: attr(param, 'NumOrdre'),
          }),
        );
      }
      const partners = child(unit, 'Partenaires');
      sender ??= partner(child(partners, 'Emetteur'));
      receiver ??= partner(child(partners, 'Recepteur'));
    }
    return compact({
      version: context.version,
      schemaLocation: context.schemaLocation,
      idFlx: parameters.find((p) => p.code === 'IdFlx')?.value,
      dtPrd: parameters.find((p) => p.code === 'DtPrd')?.value,
      parameters,
      sender,
      receiver,
      declaredCount: context.declaredCount,
    });
  }

  /** `position` = 1-based rank of the invoice in the flow, used when NumOrdre (optional in the XSD) is absent. */
  mapInvoice(node: PivotXmlNode, position: number): InvoiceMapping {
    const rawNumOrdre = attr(node, 'NumOrdre');
    const numOrdre = rawNumOrdre !== undefined && /^\d+$/.test(rawNumOrdre) ? Number(rawNumOrdre) : position;
    const data = child(node, 'DonneesFacture');
    const number = text(child(data, 'Id'));
    try {
      if (rawNumOrdre !== undefined && !/^\d+$/.test(rawNumOrdre)) {
        fail(`NumOrdre de facture invalide : « ${rawNumOrdre} »`);
      }
      const supplier = this.supplier(required(node, 'Fournisseur'));
      const debtor = this.debtor(required(node, 'Debiteur'));
      const invoiceData = this.invoiceData(required(node, 'DonneesFacture'));
      const attachments = children(node, 'PJ').map((pj, index) => this.attachment(pj, index + 1));
      const invoice: PivotInvoice = compact({
        numOrdre,
        supplier,
        debtor,
        ...invoiceData,
        attachments: attachments.map((a) => a.attachment),
        validations: children(child(node, 'CycleDeValidation'), 'ValidationUnitaire').map((v) => this.validation(v)),
      });
      return { ok: true, invoice, attachments };
    } catch (err) {
      if (!(err instanceof InvoiceDataError)) throw err;
      return { ok: false, numOrdre, number, message: err.message, contenuRefs: contenuRefsIn(node) };
    }
  }

  private supplier(node: PivotXmlNode): PivotSupplier {
    const bankNode = child(node, 'ReferenceBancaire');
    const bank = bankNode
      ? compact({
          type: attr(bankNode, 'Type'),
          account: text(child(bankNode, 'Compte')),
          establishment: text(child(bankNode, 'Etablissement')),
          holderName: text(child(bankNode, 'RaisonSocialeEncaisseur')),
        })
      : undefined;
    return compact({
      idType: requiredText(node, 'TypeIdentifiant'),
      id: requiredText(node, 'Identifiant'),
      name: requiredText(node, 'RaisonSociale'),
      countryCode: text(child(node, 'CodePays')),
      emissionMode: text(child(node, 'ModeEmission')),
      bank,
    });
  }

  private debtor(node: PivotXmlNode): PivotDebtor {
    return compact({
      idType: requiredText(node, 'TypeIdentifiant'),
      id: requiredText(node, 'Identifiant'),
      name: text(child(node, 'Nom')),
      serviceCode: text(child(node, 'CodeService')),
      serviceName: text(child(node, 'NomService')),
    });
  }

  private invoiceData(node: PivotXmlNode) {
    const amounts = required(node, 'Montants');
    const payment = child(node, 'ModePaiement');
    const paymentCode = text(child(payment, 'Code'));
    const engagement = child(node, 'Engagement');
    const cproId = text(child(node, 'IdCPRO'));
    if (cproId !== undefined && !/^[+-]?\d+$/.test(cproId)) {
      fail(`DonneesFacture/IdCPRO n’est pas un entier : « ${cproId} »`);
    }
    return {
      number: requiredText(node, 'Id'),
      cproId,
      renvoi: text(child(node, 'Renvoi')),
      originInvoiceNumber: text(child(node, 'IdFactureOrigine')),
      type: requiredText(node, 'Type'),
      cadre: requiredText(node, 'Cadre'),
      issueDate: requiredDate(node, 'DateEmissionFacture'),
      deliveryDate: optionalDate(node, 'DateLivraison'),
      receptionDate: requiredDate(node, 'DateReception'),
      moeDate: optionalDate(node, 'DateMiseADispositionMOE'),
      currency: text(child(node, 'Devise')),
      paymentMode:
        paymentCode !== undefined
          ? compact({ code: paymentCode, label: text(child(payment, 'Libelle')) })
          : undefined,
      amounts: {
        ht: requiredDecimal(amounts, 'MontantHT'),
        ttc: requiredDecimal(amounts, 'MontantTTC'),
        netToPay: requiredDecimal(amounts, 'MontantNetAPayer'),
      },
      vats: children(child(node, 'TVAs'), 'TVA').map(
        (vat): PivotVat => ({
          rate: requiredDecimal(vat, 'Taux'),
          baseHt: requiredDecimal(vat, 'BaseHt'),
          amount: requiredDecimal(vat, 'MontantTVA'),
        }),
      ),
      engagement: compact({
        marketNumber: text(child(engagement, 'NumeroMarche')),
        engagementNumber: text(child(engagement, 'NumeroEngagement')),
      }),
      lines: children(child(node, 'Lignes'), 'Ligne').map((line) => this.line(line)),
    };
  }

  private line(node: PivotXmlNode): PivotLine {
    const rawNumOrdre = attr(node, 'NumOrdre');
    // Ligne@NumOrdre is use="required" in every XSD version.
    if (rawNumOrdre === undefined || !/^\d+$/.test(rawNumOrdre)) {
      fail(`Ligne : attribut NumOrdre absent ou invalide (« ${rawNumOrdre ?? ''} »)`);
    }
    return compact({
      numOrdre: Number(rawNumOrdre),
      productRef: text(child(node, 'ReferenceProduit')),
      unitPrice: requiredDecimal(node, 'PrixUnitaire'),
      quantity: requiredDecimal(node, 'Quantite'),
      amountHt: requiredDecimal(node, 'MontantHT'),
      vatRate: optionalDecimal(node, 'TauxTVA'),
    });
  }

  private attachment(node: PivotXmlNode, position: number): MappedAttachment {
    const rawNumOrdre = attr(node, 'NumOrdre');
    if (rawNumOrdre !== undefined && !/^\d+$/.test(rawNumOrdre)) fail(`PJ : NumOrdre invalide (« ${rawNumOrdre} »)`);
    const contenu = child(node, 'Contenu');
    const ref = contenu ? attr(contenu, 'ref') : undefined;
    const attachment: PivotAttachment = compact({
      // PJ@NumOrdre is optional in the XSD: fall back to the rank of the PJ in its invoice.
      numOrdre: rawNumOrdre !== undefined ? Number(rawNumOrdre) : position,
      idUnique: text(child(node, 'IdUnique')),
      idOriginal: text(child(node, 'IdOriginal')),
      name: requiredText(node, 'NomPJ', 'PJ'),
      originalName: text(child(node, 'NomPJOrigine')),
      category: text(child(node, 'CategoriePJ')),
      type: requiredText(node, 'TypePJ', 'PJ'),
      mimeType: requiredText(node, 'MimeTypePJ', 'PJ'),
      content: null,
    });
    return ref !== undefined ? { attachment, contenuRef: Number(ref) } : { attachment };
  }

  private validation(node: PivotXmlNode): PivotValidation {
    const status = requiredText(node, 'CodeStatut', 'ValidationUnitaire');
    if (!/^\d+$/.test(status)) fail(`ValidationUnitaire/CodeStatut n’est pas un entier positif : « ${status} »`);
    const producer = child(node, 'ProducteurStatut');
    return compact({
      date: requiredDate(node, 'DateStatut', 'ValidationUnitaire'),
      statusCode: status,
      complement: text(child(node, 'ComplementStatut')),
      comment: text(child(node, 'Commentaire')),
      producer: producer
        ? compact({
            idType: text(child(producer, 'TypeIdentifiant')),
            id: text(child(producer, 'Id')),
            name: text(child(producer, 'RaisonSociale')),
            countryCode: text(child(producer, 'CodePays')),
            note: text(child(producer, 'Note')),
          })
        : undefined,
    });
  }
}

class InvoiceDataError extends Error {}

function fail(message: string): never {
  throw new InvoiceDataError(message);
}

function child(node: PivotXmlNode | undefined, name: string): PivotXmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

function children(node: PivotXmlNode | undefined, name: string): PivotXmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

function attr(node: PivotXmlNode, name: string): string | undefined {
  const value = node.attributes[name]?.trim();
  return value ? value : undefined;
}

/** Trimmed text; an empty element (`<NumeroMarche/>`) counts as absent. */
function text(node: PivotXmlNode | undefined): string | undefined {
  const value = node?.text.trim();
  return value ? value : undefined;
}

function required(node: PivotXmlNode, name: string): PivotXmlNode {
  return child(node, name) ?? fail(`Élément obligatoire absent : ${node.name}/${name}`);
}

function requiredText(node: PivotXmlNode, name: string, where = node.name): string {
  return text(child(node, name)) ?? fail(`Élément obligatoire absent ou vide : ${where}/${name}`);
}

// xs:decimal lexical space (whitespace collapsed): no exponent, no thousands separator, `.` as decimal mark.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function requiredDecimal(node: PivotXmlNode, name: string): string {
  const value = requiredText(node, name);
  if (!DECIMAL.test(value)) fail(`${node.name}/${name} n’est pas un montant décimal valide : « ${value} »`);
  return value;
}

function optionalDecimal(node: PivotXmlNode, name: string): string | undefined {
  const value = text(child(node, name));
  if (value !== undefined && !DECIMAL.test(value)) {
    fail(`${node.name}/${name} n’est pas un nombre décimal valide : « ${value} »`);
  }
  return value;
}

// xs:date: YYYY-MM-DD with an optional timezone, which the contract drops (dates are calendar days).
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?$/;

function requiredDate(node: PivotXmlNode, name: string, where = node.name): string {
  return checkDate(requiredText(node, name, where), `${where}/${name}`);
}

function optionalDate(node: PivotXmlNode, name: string): string | undefined {
  const value = text(child(node, name));
  return value === undefined ? undefined : checkDate(value, `${node.name}/${name}`);
}

function checkDate(value: string, where: string): string {
  const match = DATE.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (year > 0 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return value.slice(0, 10);
    }
  }
  return fail(`${where} n’est pas une date valide (AAAA-MM-JJ attendu) : « ${value} »`);
}

function partner(node: PivotXmlNode | undefined): PivotPartner | undefined {
  const id = text(child(node, 'Id'));
  if (!node || id === undefined) return undefined;
  return compact({ id, label: text(child(node, 'Libelle')), note: text(child(node, 'Note')) });
}

function contenuRefsIn(node: PivotXmlNode): number[] {
  const refs: number[] = [];
  const visit = (n: PivotXmlNode) => {
    if (n.name === 'Contenu' && n.attributes.ref !== undefined) refs.push(Number(n.attributes.ref));
    n.children.forEach(visit);
  };
  visit(node);
  return refs;
}

/** Drops undefined properties so objects compare cleanly and serialise without noise. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
