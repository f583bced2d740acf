import Decimal from 'decimal.js';
import { makeSiren, makeSiret } from '@/common/siret/siret';
import { AttachmentEncoder } from '@/fixtures-generator/attachment.encoder';
import { buildDemoPdf } from '@/fixtures-generator/demo-pdf.factory';
import { DemoStructure } from '@/fixtures-generator/demo-structures';
import { FixtureFlow, findStructure, findSupplier } from '@/fixtures-generator/good-flows.fixtures';
import {
  buildCreditNoteSpec,
  buildInvoiceSpec,
  InvoiceSpec,
  InvoiceSpecOptions,
  makeIdFlx,
  PivotFlowSpec,
  renderPivotFlow,
  supplementaryAttachment,
} from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { buildZip } from '@/fixtures-generator/zip.builder';

// One file per bad case (fixtures/pivot-bad/). Invoice-level cases are well-formed flows with one offending
// invoice (so the expected anomaly is unambiguous); flow-level cases break the file itself.

export type BadCaseLevel = 'invoice' | 'flow';

export interface BadCaseScenario {
  /** File name in fixtures/pivot-bad/, also the scenario's id. */
  fileName: string;
  level: BadCaseLevel;
  /**
   * Code the ingestion is expected to raise: an invoice anomaly code, a PivotFlowError code (src/pivot), or
   * 'NONE' when the file must be accepted as is.
   */
  expectedCode: string;
  /** Whether the file validates against CPPFacturePivot_V2_02.xsd (business errors only). */
  schemaValid: boolean;
  /** French: what the file contains. */
  title: string;
  /** French: what the ingestion should do with it. */
  expectation: string;
  /** File(s) that must have been ingested first (relative to fixtures/). */
  prerequisite?: string;
}

export interface BadCaseFile extends BadCaseScenario {
  bytes: Buffer;
}

export interface BadCaseContext {
  seed: number;
  /** The good set (fixtures/pivot/): cross-flow cases point at its invoices. */
  goodFlows: FixtureFlow[];
  encoder: AttachmentEncoder;
}

const BAD_DATE = '2025-03-17';
/** Sequences of bad-case invoices: far from the good set's (1001…) and the bulk's (≥ 100,000). */
const BAD_SEQUENCE_BASE = 90_000;

const commune = (): DemoStructure => findStructure('Commune de Saint-Aubin-sur-Loire');
const cc = (): DemoStructure => findStructure('Communauté de communes');
const hospital = (): DemoStructure => findStructure('Centre hospitalier');

function flow(index: number, invoices: InvoiceSpec[]): PivotFlowSpec {
  return { idFlx: makeIdFlx(900 + index), dtPrd: BAD_DATE, invoices };
}

/** A good, fully consistent invoice to be spoiled by a scenario. */
function invoice(ctx: BadCaseContext, index: number, sub: number, options: InvoiceSpecOptions): InvoiceSpec {
  const rng = new SeededRng(ctx.seed).fork(`bad-${index}-${sub}`);
  return buildInvoiceSpec(rng, { date: BAD_DATE, sequence: BAD_SEQUENCE_BASE + index * 10 + sub, supplementaryAttachments: 0, ...options });
}

function render(ctx: BadCaseContext, spec: PivotFlowSpec, encoding: 'UTF-8' | 'ISO-8859-1' = 'UTF-8'): Buffer {
  return renderPivotFlow(spec, { encoder: ctx.encoder, encoding });
}

function withService(structure: DemoStructure, code: string): InvoiceSpecOptions {
  const service = structure.services.find((s) => s.code === code);
  if (!service) throw new Error(`Service ${code} absent de ${structure.name}`);
  return { structure, service };
}

/** a + b, written with as many decimals as `a` (decimal arithmetic, never floats). */
function plus(a: string, b: string): string {
  return new Decimal(a).plus(b).toFixed(a.split('.')[1]?.length ?? 0);
}

/** Inserts text right after the XML declaration. */
function afterDeclaration(xml: string, text: string): string {
  const end = xml.indexOf('?>') + 2;
  return xml.slice(0, end) + '\n' + text + xml.slice(end);
}

type Builder = (ctx: BadCaseContext, index: number) => Buffer;

const SCENARIOS: Array<BadCaseScenario & { build: Builder }> = [
  {
    fileName: 'unknown-recipient.xml',
    level: 'invoice',
    expectedCode: 'UNKNOWN_RECIPIENT',
    schemaValid: true,
    title: 'Débiteur dont le SIRET (valide) ne correspond à aucune structure paramétrée',
    expectation: 'Facture enregistrée en anomalie UNKNOWN_RECIPIENT (destinataire inconnu), non transmise.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), service: null });
      spec.debtor = { idType: '1', id: makeSiret(makeSiren('21440999') + '0001'), name: 'Commune de Saint-Inconnu' };
      spec.comment = 'Débiteur inconnu : SIRET valide mais absent de structures.json';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'invalid-siret.xml',
    level: 'invoice',
    expectedCode: 'INVALID_SIRET',
    schemaValid: true,
    title: 'SIRET du débiteur de 14 chiffres mais dont la clé de Luhn est fausse',
    expectation: "Facture en anomalie INVALID_SIRET (contrôlé avant la recherche de la structure, qui échouerait aussi).",
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), service: null });
      const siret = spec.debtor.id;
      spec.debtor.id = siret.slice(0, 13) + String((Number(siret[13]) + 1) % 10);
      spec.comment = 'SIRET du débiteur : dernier chiffre modifié, clé de Luhn fausse';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'unknown-service.xml',
    level: 'invoice',
    expectedCode: 'UNKNOWN_SERVICE',
    schemaValid: true,
    title: "Code service absent de la liste des services de la structure (communauté de communes)",
    expectation: 'Facture en anomalie UNKNOWN_SERVICE.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, withService(cc(), 'VOIRIE'));
      spec.debtor.serviceCode = 'SPORTS';
      spec.debtor.serviceName = 'Équipements sportifs';
      spec.comment = 'Code service SPORTS inconnu de la structure';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'inactive-service.xml',
    level: 'invoice',
    expectedCode: 'UNKNOWN_SERVICE',
    schemaValid: true,
    title: 'Code service connu mais inactif (LABO du centre hospitalier)',
    expectation: 'Facture en anomalie UNKNOWN_SERVICE (service inactif : traité comme inconnu, le message le précise).',
    build: (ctx, i) => {
      const structure = hospital();
      const labo = structure.services.find((s) => !s.active);
      const spec = invoice(ctx, i, 1, { structure, service: labo });
      spec.comment = 'Service LABO inactif';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'missing-service-code.xml',
    level: 'invoice',
    expectedCode: 'MISSING_SERVICE_CODE',
    schemaValid: true,
    title: 'Pas de code service pour une structure qui l’exige (communauté de communes)',
    expectation: 'Facture en anomalie MISSING_SERVICE_CODE.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: cc(), service: null });
      spec.comment = 'Aucun CodeService alors que la structure exige un service';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'missing-engagement.xml',
    level: 'invoice',
    expectedCode: 'MISSING_ENGAGEMENT',
    schemaValid: true,
    title: "Pas de numéro d'engagement pour une structure qui l’exige (centre hospitalier)",
    expectation: 'Facture en anomalie MISSING_ENGAGEMENT.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { ...withService(hospital(), 'ACHATS'), engagement: false });
      spec.comment = "Pas d'élément Engagement alors que la structure exige un numéro d'engagement";
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'amounts-ttc-mismatch.xml',
    level: 'invoice',
    expectedCode: 'AMOUNTS_INCONSISTENT',
    schemaValid: true,
    title: 'Montant TTC (et net à payer) supérieur de 10,00 € à HT + TVA',
    expectation: 'Facture en anomalie AMOUNTS_INCONSISTENT (HT + TVA ≠ TTC).',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { ...withService(commune(), 'ST'), precision: 'cents' });
      const ttc = plus(spec.amounts.ttc, '10');
      spec.amounts = { ...spec.amounts, ttc, netToPay: ttc };
      spec.comment = 'MontantTTC = HT + TVA + 10,00';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'amounts-lines-mismatch.xml',
    level: 'invoice',
    expectedCode: 'AMOUNTS_INCONSISTENT',
    schemaValid: true,
    title: 'Somme des lignes différente du montant HT (HT, TVA et TTC cohérents entre eux)',
    expectation: 'Facture en anomalie AMOUNTS_INCONSISTENT (Σ lignes ≠ HT).',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { ...withService(commune(), 'SCOLAIRE'), precision: 'cents', lineCount: 3 });
      const line = spec.lines[0];
      line.amountHt = plus(line.amountHt, '100');
      spec.comment = 'Ligne 1 : MontantHT augmenté de 100,00, totaux inchangés';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'missing-invoice-pdf.xml',
    level: 'invoice',
    expectedCode: 'MISSING_INVOICE_PDF',
    schemaValid: true,
    title: 'Aucune pièce jointe de type 01 (facture) : seulement une pièce complémentaire 02',
    expectation: 'Facture en anomalie MISSING_INVOICE_PDF.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), service: null });
      spec.attachments = [supplementaryAttachment(1, spec.number ?? '', 'Bon de livraison', 'bon-de-livraison', spec.issueDate)];
      spec.comment = 'Pas de PJ de type 01';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'invalid-iban.xml',
    level: 'invoice',
    expectedCode: 'INVALID_IBAN',
    schemaValid: true,
    title: 'IBAN du fournisseur avec une clé de contrôle fausse',
    expectation: 'Facture en anomalie INVALID_IBAN (paiement impossible sans coordonnées bancaires valides).',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), supplier: findSupplier('SAS Bureautique'), service: null });
      const iban = spec.supplier.bank?.account ?? '';
      const check = (Number(iban.slice(2, 4)) + 1) % 100;
      spec.supplier.bank = { type: 'IBAN', account: `FR${String(check).padStart(2, '0')}${iban.slice(4)}`, establishment: spec.supplier.bank?.establishment };
      spec.comment = 'IBAN : clé de contrôle (mod 97) fausse';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'attachment-not-zip.xml',
    level: 'invoice',
    expectedCode: 'ATTACHMENT_UNREADABLE',
    schemaValid: true,
    title: 'PJ 01 dont le Contenu est le PDF en base64, sans archive ZIP autour',
    expectation: 'PJ en erreur ATTACHMENT_UNREADABLE ; la facture est en anomalie (pas de PDF de facture lisible).',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), service: null });
      spec.attachments[0].content = { kind: 'raw', data: buildDemoPdf({ lines: [`Facture N° ${spec.number}`, 'PDF non zippé'] }) };
      spec.comment = 'Contenu = PDF brut, pas une archive ZIP';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'attachment-zip-slip.xml',
    level: 'invoice',
    expectedCode: 'ATTACHMENT_UNREADABLE',
    schemaValid: true,
    title: "PJ 01 : archive ZIP dont l'unique entrée s'appelle « ../../../tmp/facture.pdf » (zip slip)",
    expectation: "PJ refusée (ATTACHMENT_UNREADABLE), rien n'est écrit hors du stockage.",
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), service: null });
      const pdf = buildDemoPdf({ lines: [`Facture N° ${spec.number}`] });
      spec.attachments[0].content = { kind: 'zip', entries: [{ name: '../../../tmp/facture.pdf', data: pdf }] };
      spec.comment = 'Entrée ZIP avec chemin ../ (zip slip)';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'attachment-zip-bomb.xml',
    level: 'invoice',
    expectedCode: 'ATTACHMENT_UNREADABLE',
    schemaValid: true,
    title: "PJ 01 : archive ZIP d'environ 250 Ko qui se décompresse en 256 Mio de zéros (bombe ZIP, au-delà de la limite par défaut de 200 Mo par PJ)",
    expectation: 'Décompression interrompue à la limite de taille : PJ en erreur ATTACHMENT_UNREADABLE, mémoire et disque préservés.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { structure: commune(), service: null });
      spec.attachments[0].content = { kind: 'zip-bomb', entryName: spec.attachments[0].name, uncompressedBytes: 256 * 1024 * 1024 };
      spec.comment = 'Bombe ZIP : 256 Mio décompressés';
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'duplicate-idcpro.xml',
    level: 'invoice',
    expectedCode: 'DUPLICATE_INVOICE',
    schemaValid: true,
    title: 'La même facture deux fois dans le flux (même IdCPRO, même contenu, sans Renvoi)',
    expectation: 'La première est intégrée ; la seconde est ignorée et signalée DUPLICATE_INVOICE (même IdCPRO) : jamais intégrée deux fois.',
    build: (ctx, i) => {
      const spec = invoice(ctx, i, 1, { ...withService(commune(), 'FINANCES') });
      return render(ctx, flow(i, [spec, { ...spec, comment: 'Doublon exact : même IdCPRO' }]));
    },
  },
  {
    fileName: 'duplicate-supplier-number.xml',
    level: 'invoice',
    expectedCode: 'DUPLICATE_INVOICE',
    schemaValid: true,
    title: 'Deux factures du même fournisseur, même numéro, même année, mais IdCPRO différents',
    expectation: 'La première est intégrée ; la seconde est ignorée et signalée DUPLICATE_INVOICE (fournisseur + numéro + année déjà connus).',
    build: (ctx, i) => {
      const first = invoice(ctx, i, 1, { structure: commune(), supplier: findSupplier('SARL Élec'), service: null });
      const second = invoice(ctx, i, 2, { structure: commune(), supplier: findSupplier('SARL Élec'), service: null, number: first.number ?? undefined });
      second.comment = `Même fournisseur et même numéro (${first.number}) que la facture 1, autre IdCPRO`;
      return render(ctx, flow(i, [first, second]));
    },
  },
  {
    fileName: 'credit-note-other-flow.xml',
    level: 'invoice',
    expectedCode: 'NONE',
    schemaValid: true,
    title: "Avoir (381) dont l'IdFactureOrigine est une facture du flux pivot/flux-002.xml",
    expectation: "Avoir intégré et rattaché à la facture d'origine reçue dans un autre flux (pas d'anomalie).",
    prerequisite: 'pivot/flux-002.xml',
    build: (ctx, i) => {
      const origin = ctx.goodFlows[1].flow.invoices[0];
      const spec = buildCreditNoteSpec(new SeededRng(ctx.seed).fork(`bad-${i}-1`), origin, { date: BAD_DATE, sequence: BAD_SEQUENCE_BASE + i * 10 + 1 });
      spec.comment = `Avoir sur la facture ${origin.number} (IdCPRO ${origin.cproId}) du flux ${ctx.goodFlows[1].flow.idFlx}`;
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'renvoi-completee.xml',
    level: 'invoice',
    expectedCode: 'NONE',
    schemaValid: true,
    title: 'Renvoi « ..mplétée » de la 1re facture de pivot/flux-001.xml (même IdCPRO) avec une PJ complémentaire de plus',
    expectation: "Pas de doublon : la facture existante est complétée (nouvelle PJ 02 ajoutée), son statut n'est pas réinitialisé.",
    prerequisite: 'pivot/flux-001.xml',
    build: (ctx, i) => {
      const origin = ctx.goodFlows[0].flow.invoices[0];
      const spec: InvoiceSpec = structuredClone(origin);
      spec.renvoi = 'Complétée';
      spec.attachments.push(supplementaryAttachment(spec.attachments.length + 1, spec.number ?? '', 'Attestation de service fait', 'attestation-service-fait', BAD_DATE));
      spec.comment = `Renvoi complété de ${origin.number} (IdCPRO ${origin.cproId})`;
      return render(ctx, flow(i, [spec]));
    },
  },
  {
    fileName: 'unreadable-invoice-amount.xml',
    level: 'invoice',
    expectedCode: 'INVOICE_UNREADABLE',
    schemaValid: false,
    title: 'Flux de 3 factures dont la 2e a un MontantHT « ..,50 » (virgule décimale)',
    expectation: 'Les factures 1 et 3 sont intégrées ; la 2e est signalée illisible (événement invoice-error), le flux n’est pas rejeté.',
    build: (ctx, i) => {
      const specs = [1, 2, 3].map((sub) => invoice(ctx, i, sub, { structure: commune(), service: null }));
      specs[1].amounts = { ...specs[1].amounts, ht: '12,50' };
      specs[1].comment = 'Montant illisible : 12,50';
      return render(ctx, flow(i, specs));
    },
  },
  {
    fileName: 'unreadable-invoice-missing-id.xml',
    level: 'invoice',
    expectedCode: 'INVOICE_UNREADABLE',
    schemaValid: false,
    title: 'Flux de 3 factures dont la 2e n’a pas de DonneesFacture/Id (numéro de facture)',
    expectation: 'Les factures 1 et 3 sont intégrées ; la 2e est signalée illisible (événement invoice-error), le flux n’est pas rejeté.',
    build: (ctx, i) => {
      const specs = [1, 2, 3].map((sub) => invoice(ctx, i, sub, { structure: commune(), service: null }));
      specs[1].number = null;
      specs[1].comment = 'Pas de DonneesFacture/Id';
      return render(ctx, flow(i, specs));
    },
  },
  {
    fileName: 'iso-8859-1-accents.xml',
    level: 'flow',
    expectedCode: 'NONE',
    schemaValid: true,
    title: 'Flux valide encodé en ISO-8859-1 (accents, « .. et « œ » en référence de caractère &#339;)',
    expectation: 'Flux accepté ; les noms accentués (Élec, Cœur, Bâtiment, Déposée) sont décodés correctement.',
    build: (ctx, i) => {
      const specs = [
        invoice(ctx, i, 1, { structure: commune(), supplier: findSupplier('SARL Élec'), service: null }),
        invoice(ctx, i, 2, { ...withService(cc(), 'ENFANCE'), supplier: findSupplier('SAS Informatique Cœur') }),
        invoice(ctx, i, 3, { ...withService(hospital(), 'RESTAU'), supplier: findSupplier('SAS Restauration') }),
      ];
      return render(ctx, flow(i, specs), 'ISO-8859-1');
    },
  },
  {
    fileName: 'malformed-xml.xml',
    level: 'flow',
    expectedCode: 'MALFORMED_XML',
    schemaValid: false,
    title: 'XML mal formé : balise fermante qui ne correspond pas (</Fournisseurs>) et « ..» non échappé',
    expectation: 'Flux rejeté en entier (MALFORMED_XML), aucune facture intégrée.',
    build: (ctx, i) => {
      const xml = render(ctx, flow(i, [invoice(ctx, i, 1, { structure: commune(), service: null }), invoice(ctx, i, 2, { structure: commune(), service: null })])).toString('utf8');
      const broken = xml.replace('</Fournisseur>', '</Fournisseurs>').replace('<Etablissement>', '<Etablissement>Crédit & Co ');
      return Buffer.from(broken, 'utf8');
    },
  },
  {
    fileName: 'truncated-xml.xml',
    level: 'flow',
    expectedCode: 'TRUNCATED_XML',
    schemaValid: false,
    title: 'Flux coupé au milieu du Contenu base64 de la 2e facture (téléchargement interrompu)',
    expectation: 'Flux rejeté en entier (TRUNCATED_XML) : la 1re facture, pourtant complète, n’est pas intégrée.',
    build: (ctx, i) => {
      const xml = render(ctx, flow(i, [invoice(ctx, i, 1, { structure: commune(), service: null }), invoice(ctx, i, 2, { structure: commune(), service: null })]));
      const second = xml.indexOf('<CPPFacturePivotUnitaire NumOrdre="2"');
      const cut = xml.indexOf('<Contenu>', second) + '<Contenu>'.length + 200;
      return xml.subarray(0, cut);
    },
  },
  {
    fileName: 'xxe-doctype.xml',
    level: 'flow',
    expectedCode: 'DTD_FORBIDDEN',
    schemaValid: false,
    title: 'DOCTYPE déclarant une entité externe (file:///etc/passwd) utilisée dans la raison sociale (XXE)',
    expectation: "Flux rejeté (DTD_FORBIDDEN) avant toute résolution d'entité : aucun fichier local lu.",
    build: (ctx, i) => {
      const xml = render(ctx, flow(i, [invoice(ctx, i, 1, { structure: commune(), service: null })])).toString('utf8');
      const withDtd = afterDeclaration(xml, '<!DOCTYPE CPPFacturePivot [\n\t<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>');
      return Buffer.from(withDtd.replace(/<RaisonSociale>[^<]*<\/RaisonSociale>/, '<RaisonSociale>&xxe;</RaisonSociale>'), 'utf8');
    },
  },
  {
    fileName: 'billion-laughs.xml',
    level: 'flow',
    expectedCode: 'DTD_FORBIDDEN',
    schemaValid: false,
    title: 'DOCTYPE avec entités imbriquées « ..l » (billion laughs : ~3 Go une fois développées)',
    expectation: 'Flux rejeté (DTD_FORBIDDEN) sans développer les entités : ni mémoire ni CPU consommés.',
    build: (ctx, i) => {
      const xml = render(ctx, flow(i, [invoice(ctx, i, 1, { structure: commune(), service: null })])).toString('utf8');
      const entities = ['\t<!ENTITY lol "lol">'];
      for (let level = 1; level <= 9; level++) {
        const previous = level === 1 ? 'lol' : `lol${level - 1}`;
        entities.push(`\t<!ENTITY lol${level} "${`&${previous};`.repeat(10)}">`);
      }
      const withDtd = afterDeclaration(xml, `<!DOCTYPE CPPFacturePivot [\n${entities.join('\n')}\n]>`);
      return Buffer.from(withDtd.replace(/<RaisonSociale>[^<]*<\/RaisonSociale>/, '<RaisonSociale>&lol9;</RaisonSociale>'), 'utf8');
    },
  },
  {
    fileName: 'wrong-root.xml',
    level: 'flow',
    expectedCode: 'WRONG_ROOT',
    schemaValid: false,
    title: 'XML bien formé mais de racine CPPStatut (flux de statuts reçu à la place d’un flux de factures)',
    expectation: 'Flux rejeté (WRONG_ROOT).',
    build: () =>
      Buffer.from(
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<CPPStatut>',
          '\t<Enveloppe>',
          '\t\t<EnveloppeUnitaire NumOrdre="1">',
          '\t\t\t<Parametres>',
          '\t\t\t\t<ParametreIndiv NumOrdre="0001"><Code>DtPrd</Code><Valeurparametre>2025-03-17</Valeurparametre></ParametreIndiv>',
          '\t\t\t\t<ParametreIndiv NumOrdre="0002"><Code>IdFlx</Code><Valeurparametre>CPP0020036000000000000999</Valeurparametre></ParametreIndiv>',
          '\t\t\t</Parametres>',
          '\t\t</EnveloppeUnitaire>',
          '\t</Enveloppe>',
          '</CPPStatut>',
          '',
        ].join('\n'),
        'utf8',
      ),
  },
  {
    fileName: 'empty-file.xml',
    level: 'flow',
    expectedCode: 'EMPTY_FILE',
    schemaValid: false,
    title: 'Fichier vide (0 octet)',
    expectation: 'Flux rejeté (EMPTY_FILE).',
    build: () => Buffer.alloc(0),
  },
  {
    fileName: 'two-flows.zip',
    level: 'flow',
    expectedCode: 'NONE',
    schemaValid: false,
    title: 'Archive ZIP contenant deux flux pivot valides (flux-a.xml : 2 factures, flux-b.xml : 1 facture)',
    expectation:
      'Chaque entrée XML est traitée comme un flux distinct (2 flux, 3 factures). Si le service n’accepte pas les archives, il doit les refuser explicitement, jamais ne lire qu’une entrée.',
    build: (ctx, i) => {
      const a = render(ctx, { ...flow(i, [invoice(ctx, i, 1, { structure: commune(), service: null }), invoice(ctx, i, 2, { ...withService(cc(), 'DECHETS') })]) });
      const b = render(ctx, { ...flow(i, [invoice(ctx, i, 3, { ...withService(hospital(), 'PUI') })]), idFlx: makeIdFlx(900 + i + 50) });
      return buildZip([
        { name: 'flux-a.xml', data: a },
        { name: 'flux-b.xml', data: b },
      ]);
    },
  },
];

/** The scenarios, without their builders (README, tests). */
export const BAD_CASE_SCENARIOS: readonly BadCaseScenario[] = SCENARIOS.map(({ build: _build, ...scenario }) => scenario);

export function buildBadCases(ctx: BadCaseContext): BadCaseFile[] {
  return SCENARIOS.map(({ build, ...scenario }, index) => ({ ...scenario, bytes: build(ctx, index + 1) }));
}
