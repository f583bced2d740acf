import { money } from '@/common/money/money';
import type { Address, BudgetSettings, Debtor, TitreData } from '@/pes/pes.types';
import { pjIdUnique, writePesAller } from '@/pes/pes-envelope.writer';
import { encodePjContent, writePesPj } from '@/pes/pes-pj';
import { talonLines } from '@/pes/pes-talon';
import { FastXmlWriter, XmlSink } from '@/pes/pes-xml.writer';

// PES V2 « Aller » writer for a recette bordereau and the ASAP of each titre, following the DGFiP schema set v5.17
// (PES_Aller.xsd → PES_RecetteAller, PES_PJ; Class_FacturePESIndiv for the PES_Facture typed ASAP) and the DosTech
// v5.19. Element order is the XSD's sequence order. The envelope (Enveloppe, EnTetePES) is pes-envelope.writer's.

/** PES_PJ TypePJ 006 « PES Facture » (Class_PJ: the ASAP travels gzip+base64 in a PJ of type 006). */
export const PJ_TYPE_ASAP = '006';
/** TypePJ 008 « Document complémentaire à l'ASAP ». */
export const PJ_TYPE_PDF = '008';

export interface FlowContext {
  settings: BudgetSettings;
  year: number;
  bordereauNumber: number;
  /** Emission date of the bordereau and of the file (YYYY-MM-DD, collectivité's time zone). */
  emittedOn: string;
  /** NomFic, also the file name without `.xml` (pesNomFic). */
  nomFic: string;
}

/** IdUnique of the ASAP (PJ 006) of a titre: unique for the comptable (see pjIdUnique). */
export function asapIdUnique(s: BudgetSettings, t: Pick<TitreData, 'year' | 'number'>): string {
  return pjIdUnique(s.collectivite, 'recette', t.year, 'ASAP', t.number);
}
/** IdUnique of the PDF complément (PJ 008) of a titre. */
export function pdfIdUnique(s: BudgetSettings, t: Pick<TitreData, 'year' | 'number'>): string {
  return pjIdUnique(s.collectivite, 'recette', t.year, 'DOC', t.number);
}

function address(w: XmlSink, a: Address, withAdr1 = true, withAdr2 = true): void {
  w.open('Adresse');
  w.leaf('TypAdr', '1');
  if (withAdr1 && a.adr1) w.leaf('Adr1', a.adr1);
  if (withAdr2 && a.adr2) w.leaf('Adr2', a.adr2);
  if (a.adr3) w.leaf('Adr3', a.adr3);
  w.leaf('CP', a.cp);
  w.leaf('Ville', a.ville);
  const abroad = Boolean(a.codPays && a.codPays !== '100');
  w.leaf('CodRes', abroad ? '1' : '0');
  if (abroad) w.leaf('CodPays', a.codPays!);
  w.close();
}

function amount(v: string): string {
  return money(v).toFixed(2);
}

/** VAT rates print without useless zeros ("20", "5.5"): Base_Taux allows 5 digits with 2 decimals. */
function rate(v: string): string {
  return money(v).toFixed();
}

function debtorInfo(w: XmlSink, d: Debtor, recette: boolean): void {
  w.open('InfoTiers');
  if (recette && d.siret) {
    // Debtor's SIRET: `IdTiers` with `NatIdTiers` 01 (Class_TiersRecette). In the PES_Facture ASAP,
    // IdTiers is « ne pas renseigner ».
    w.leaf('IdTiers', d.siret);
    w.leaf('NatIdTiers', '01');
  }
  w.leaf('CatTiers', d.category);
  w.leaf('NatJur', d.legalNature);
  w.leaf('TypTiers', '01');
  if (d.civility) w.leaf('Civilite', d.civility);
  w.leaf('Nom', d.name);
  if (d.complName) w.leaf('ComplNom', d.complName);
  if (d.firstName) w.leaf('Prenom', d.firstName);
  w.close();
}

/** The ASAP of one titre: a PES_Facture with TypeFact 09 and one FactureIndiv. */
export function writeFacture(w: XmlSink, ctx: FlowContext, t: TitreData): void {
  const s = ctx.settings;
  const c = s.collectivite;
  w.open('PES_Facture');
  w.leaf('IdVer', '2');
  w.leaf('Annee', String(t.year));
  w.leaf('TypeFact', '09');
  w.leaf('Date', t.issueDate);
  w.open('Emetteur');
  w.open('InfoTiers');
  w.leaf('CatTiers', c.categorie);
  w.leaf('NatJur', c.natureJuridique);
  w.leaf('TypTiers', '20');
  w.leaf('Nom', c.label);
  w.close();
  address(w, c.adresse);
  w.open('InfoSuppl');
  if (c.telephone) w.leaf('NumTel', c.telephone);
  if (c.horairesOuverture) w.leaf('HorairesOuv', c.horairesOuverture);
  if (c.codeTipi) w.leaf('CodeTipi', c.codeTipi);
  if (c.email) w.leaf('AdresseMelEmetteur', c.email);
  if (c.adrTipi) w.leaf('AdrTipi', c.adrTipi);
  if (c.refBdf) w.leaf('RefBdf', c.refBdf);
  w.close();
  w.open('Signataire');
  w.open('Personne');
  w.leaf('Nom', s.signataire.nom ?? '');
  w.leaf('Prenom', s.signataire.prenom ?? '');
  w.close();
  w.leaf('Role', s.signataire.fonction ?? '');
  w.close();
  w.close();
  // Tiers 25: the centre d'encaissement, fixed name, no Adr1/Adr2 (Class_TiersFacture, Class_AdresseFacture).
  w.open('Tiers');
  w.open('InfoTiers');
  w.leaf('CatTiers', '20');
  w.leaf('NatJur', '07');
  w.leaf('TypTiers', '25');
  w.leaf('Nom', "CENTRE D'ENCAISSEMENT");
  w.leaf('ComplNom', 'DES FINANCES PUBLIQUES');
  w.close();
  address(w, { ...s.centreEncaissement.adresse }, false, false);
  w.close();
  // Tiers 26: the Centre des Finances Publiques (trésorerie), with its bank account.
  const tr = s.tresorerie;
  w.open('Tiers');
  w.open('InfoTiers');
  w.leaf('CatTiers', '20');
  w.leaf('NatJur', '07');
  w.leaf('TypTiers', '26');
  w.leaf('Nom', tr.nom);
  w.close();
  // « Informations pratiques du Centre des finances publiques (horaires, téléphone) », TypTiers 26 only.
  if (tr.telephone || tr.horairesOuverture || tr.email) {
    w.open('InfoSupplTiers');
    if (tr.telephone) w.leaf('NumTel2', tr.telephone);
    if (tr.horairesOuverture) w.leaf('HorairesOuv2', tr.horairesOuverture);
    if (tr.email) w.leaf('AdresseMelCFP', tr.email);
    w.close();
  }
  address(w, tr.adresse);
  w.open('CpteBancaire');
  w.leaf('BIC', tr.bic ?? '');
  w.leaf('IBAN', tr.iban ?? '');
  w.leaf('TitCpte', (tr.titulaire ?? tr.nom).slice(0, 32));
  w.close();
  w.close();
  w.open('FactureIndiv');
  w.leaf('DateEmission', t.issueDate);
  // « Il sera indiqué en référence en cas de rejet »: the CPP invoice number when there is one.
  w.leaf('NumeroFacture', t.invoiceNumber ?? `T${t.year}-${ctx.bordereauNumber}-${t.number}`);
  w.open('Debiteur');
  debtorInfo(w, t.debtor, false);
  address(w, t.debtor.address);
  w.close();
  w.leaf('Objet', t.object);
  for (const l of t.lines) {
    w.open('LigneFacture');
    w.leaf('Date', t.issueDate);
    w.leaf('Libelle', l.label);
    w.leaf('Quantite', money(l.quantity).toFixed());
    w.leaf('MtUnitaire', amount(l.unitPrice));
    w.leaf('MtHT', amount(l.amountHt));
    w.leaf('TauxTVA', rate(l.vatRate));
    w.leaf('MtTVA', amount(l.amountTva));
    w.leaf('MtTTC', money(l.amountHt).plus(l.amountTva).toFixed(2));
    w.leaf('Ordre', String(l.lineNo));
    w.close();
  }
  w.open('TotalAPayer');
  w.leaf('MtTotalHT', amount(t.amountHt));
  w.leaf('MtTotalTVA', amount(t.amountTva));
  w.leaf('MtTotalTTC', amount(t.amountTtc));
  w.close();
  w.open('RefTitre');
  w.leaf('Exercice', String(t.year));
  w.leaf('NumBordereau', String(ctx.bordereauNumber));
  w.leaf('NumTitre', String(t.number));
  w.leaf('NumLigne', '1'); // « A valoriser obligatoirement à 1 »
  w.close();
  // Lines as the titre or the settings give them, never a computed HEL key (pes-talon.ts); absent when neither does
  // (checkTalon refuses the titre beforehand when its mode needs one).
  const talon = talonLines(s, t, ctx.bordereauNumber);
  if (talon) {
    w.open('TalonOptique2Lignes');
    w.leaf('Ligne1', talon[0]);
    w.leaf('Ligne2', talon[1]);
    w.close();
  }
  w.leaf('ModalitesReglement', s.modalites.reglement);
  // The voies de recours are printed from ModalitesContestation (« mention du tribunal compétent »); ConditionsGen,
  // mandatory, is « non repris sur l'édition ASAP ».
  w.leaf('ModalitesContestation', s.modalites.voiesDeRecours);
  // « Si Edition avec TIP : 0 … Si Edition sans TIP (avec Talon) : 1 » (Class_FacturePESIndiv).
  w.leaf('ModeRecouvrement', s.modalites.modeRecouvrement === 'TIP' ? '0' : '1');
  w.leaf('ConditionsGen', s.modalites.conditionsGenerales ?? s.modalites.reglement);
  w.close();
  w.open('Nomenclatures');
  w.close();
  w.close();
}

/** The ASAP document as it travels in its PES_PJ: UTF-8 XML, gzip, base64 in 76-character lines. */
export function encodeFacture(ctx: FlowContext, t: TitreData): { xml: string; base64: string } {
  const w = new FastXmlWriter();
  writeFacture(w, ctx, t);
  const xml = w.end();
  return { xml, base64: encodePjContent(xml) };
}

export interface AllerAttachments {
  asap(t: TitreData): string;
  pdf(t: TitreData): string | null;
}

/** The whole PES_Aller of one bordereau. Attachments are produced titre by titre while writing PES_PJ. */
export function writeAller(w: XmlSink, ctx: FlowContext, titres: TitreData[], attachments: AllerAttachments): void {
  writePesAller(w, { collectivite: ctx.settings.collectivite, nomFic: ctx.nomFic, emittedOn: ctx.emittedOn }, (w) => writeRecetteBody(w, ctx, titres, attachments));
}

/** PES_RecetteAller (one bordereau) then PES_PJ (its ASAPs and PDFs): the body inside writePesAller's envelope. */
export function writeRecetteBody(w: XmlSink, ctx: FlowContext, titres: TitreData[], attachments: AllerAttachments): void {
  const s = ctx.settings;
  const c = s.collectivite;
  const bord = ctx.bordereauNumber;
  w.open('PES_RecetteAller');
  w.open('EnTeteRecette');
  w.leaf('IdVer', '2');
  w.close();
  w.open('Bordereau', { Id: `BORD${ctx.year}N${bord}` });
  w.open('BlocBordereau');
  w.leaf('Exer', String(ctx.year));
  w.leaf('IdBord', String(bord));
  w.leaf('DteBordEm', ctx.emittedOn);
  w.leaf('TypBord', '01');
  w.leaf('NbrPce', String(titres.length));
  let ht = money(0);
  let tva = money(0);
  for (const t of titres) {
    ht = ht.plus(t.amountHt);
    tva = tva.plus(t.amountTva);
  }
  w.leaf('MtBordHt', ht.toFixed(2));
  // MtBordTVA: absent, or > 0 with at least one line carrying MtTVA (Class_BordereauRecetteAller).
  if (tva.gt(0)) w.leaf('MtBordTVA', tva.toFixed(2));
  w.close();
  for (const t of titres) {
    w.open('Piece');
    w.open('BlocPiece');
    const codServ = t.codServ ?? c.codServ;
    if (codServ) w.leaf('CodServ', codServ);
    w.leaf('IdPce', String(t.number));
    w.leaf('TypPce', t.typPce);
    w.leaf('NatPce', t.natPce);
    w.leaf('Edition', t.edition);
    w.leaf('ObjPce', t.object);
    const asapId = asapIdUnique(s, t);
    w.open('PJRef');
    w.leaf('Support', '01');
    w.leaf('IdUnique', asapId);
    w.leaf('NomPJ', `${asapId}.xml`);
    w.close();
    if (t.pdf) {
      const id = pdfIdUnique(s, t);
      w.open('PJRef');
      w.leaf('Support', '01');
      w.leaf('IdUnique', id);
      w.leaf('NomPJ', t.pdf.name);
      w.close();
    }
    if (t.edition === '02') {
      // ASAP CPP: what Chorus Pro needs to route the invoice to the public debtor (v5.x BlocPiece).
      if (t.invoiceNumber) w.leaf('NumeroFacture', t.invoiceNumber);
      if (t.marketNumber) w.leaf('NumeroMarche', t.marketNumber);
      if (t.debtorEngagement) w.leaf('NumeroEngagement', t.debtorEngagement);
      if (t.debtorServiceCode) w.leaf('CodeService', t.debtorServiceCode);
      if (t.debtorServiceName) w.leaf('NomService', t.debtorServiceName);
    }
    w.close();
    for (const l of t.lines) {
      w.open('LigneDePiece');
      w.open('BlocLignePiece');
      w.open('InfoLignePiece');
      w.leaf('IdLigne', String(l.lineNo));
      w.leaf('ObjLignePce', l.label);
      w.leaf('CodProdLoc', l.productCode);
      w.leaf('Nature', l.nature);
      if (l.fonction) w.leaf('Fonction', l.fonction);
      if (l.operation) w.leaf('Operation', l.operation);
      const hasTva = money(l.amountTva).gt(0);
      // TxTva « à servir si MtTVA »; MtTVA absent or > 0 (Class_LigneTitreAller).
      if (hasTva) w.leaf('TxTva', rate(l.vatRate));
      w.leaf('Majo', '0');
      w.leaf('TvaIntraCom', '0');
      w.leaf('MtHT', amount(l.amountHt));
      if (hasTva) w.leaf('MtTVA', amount(l.amountTva));
      w.close();
      w.close();
      w.open('Tiers');
      debtorInfo(w, t.debtor, true);
      address(w, t.debtor.address);
      w.close();
      w.close();
    }
    w.close();
  }
  w.close();
  w.close();
  w.open('PES_PJ');
  w.open('EnTetePES_PJ');
  w.leaf('IdVer', '1');
  w.close();
  for (const t of titres) {
    const asapId = asapIdUnique(s, t);
    pj(w, t, attachments.asap(t), 'text/xml', asapId, `${asapId}.xml`, PJ_TYPE_ASAP, `PES Facture ASAP du titre ${t.number} bordereau ${bord}`);
    const pdf = t.pdf ? attachments.pdf(t) : null;
    if (t.pdf && pdf) {
      pj(w, t, pdf, 'application/pdf', pdfIdUnique(s, t), t.pdf.name, PJ_TYPE_PDF, `Document complémentaire à l'ASAP du titre ${t.number}`);
    }
  }
  w.close();
}

function pj(w: XmlSink, t: TitreData, encoded: string, mimeType: string, idUnique: string, nomPJ: string, typePJ: string, description: string): void {
  writePesPj(w, { encoded, mimeType, idUnique, nomPJ, typePJ, description, refCompta: { domain: 'recette', exercice: t.year, typeObjet: '01', identifiant: String(t.number) } });
}
