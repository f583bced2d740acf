import { isValidBIC, isValidIBAN } from 'ibantools';
import { formatEuros, formatFrenchDecimal, NBSP } from '@/common/money/french-format';
import { money, sum, toCents } from '@/common/money/money';
import { isValidSiret } from '@/common/siret/siret';
import { checkTiers } from '@/pes/pes-tiers.checks';
import type { BudgetSettings, Issue, NormalizedLine, TitreData, TitreInput } from '@/pes/pes.types';

export type { NormalizedLine };

// DGFiP rules the XSD does not hold (annotations of the PES V2 schemas: Class_TitreAller, Class_LigneTitreAller,
// Class_TiersEmetteur, Class_TiersFacture, Class_AdresseFacture, Class_BancaireFacture, Class_FacturePESIndiv).
// Pure functions: the same checks run when a titre is recorded and again before a flow is written.

/** Most an ASAP with TIP may ask for (ModeRecouvrement annotation). */
const TIP_MAX = money('150000');
/** Base_Montant: 14 digits of which 2 decimals. */
const AMOUNT_MAX = money('999999999999.99');

function cents(value: string): boolean {
  return money(value).decimalPlaces() <= 2;
}


export interface NormalizedTotals {
  amountHt: string;
  amountTva: string;
  amountTtc: string;
}

/**
 * Completes the lines (quantity 1, unit price = HT, VAT computed from the rate, rounded half-up to the cent)
 * and checks each one. Totals are the sums of the lines, to the cent.
 */
export function normalizeLines(input: TitreInput['lines']): { lines: NormalizedLine[]; totals: NormalizedTotals; issues: Issue[] } {
  const issues: Issue[] = [];
  const lines: NormalizedLine[] = input.map((l, i) => {
    const n = i + 1;
    const ht = money(l.amountHt);
    if (ht.lte(0)) issues.push({ code: 'LINE_AMOUNT_NOT_POSITIVE', message: `Ligne ${n} : le montant HT doit être strictement positif (PES : MtHT > 0)` });
    if (!cents(l.amountHt)) issues.push({ code: 'LINE_AMOUNT_CENTS', message: `Ligne ${n} : montant HT au centime attendu (2 décimales au plus)` });
    if (ht.gt(AMOUNT_MAX)) issues.push({ code: 'LINE_AMOUNT_TOO_LARGE', message: `Ligne ${n} : montant HT trop élevé` });
    const rate = money(l.vatRate ?? '0');
    if (rate.lt(0) || rate.gte(100) || rate.decimalPlaces() > 2) {
      issues.push({ code: 'LINE_VAT_RATE', message: `Ligne ${n} : taux de TVA entre 0 et 99,99 (2 décimales au plus) attendu` });
    }
    const computedTva = toCents(ht.times(rate).dividedBy(100));
    let tva = computedTva;
    if (l.amountTva !== undefined) {
      tva = money(l.amountTva);
      if (!cents(l.amountTva) || tva.lt(0)) {
        issues.push({ code: 'LINE_VAT_AMOUNT', message: `Ligne ${n} : montant de TVA positif au centime attendu` });
      } else if (tva.minus(computedTva).abs().gt('0.01')) {
        issues.push({
          code: 'LINE_VAT_MISMATCH',
          message: `Ligne ${n} : TVA ${formatEuros(tva)} incohérente avec ${formatEuros(ht)} × ${formatFrenchDecimal(rate, 0)}${NBSP}% = ${formatEuros(computedTva)}`,
        });
      }
    }
    if (rate.isZero() && tva.gt(0)) issues.push({ code: 'LINE_VAT_WITHOUT_RATE', message: `Ligne ${n} : montant de TVA sans taux` });
    const quantity = money(l.quantity ?? '1');
    const unitPrice = l.unitPrice !== undefined ? money(l.unitPrice) : quantity.isZero() ? ht : toCents(ht.dividedBy(quantity));
    if (quantity.lte(0) || quantity.decimalPlaces() > 2 || quantity.toFixed().replace(/[.-]/g, '').length > 5) {
      // ASAP: Quantite is 5 characters at most, the decimal point not counted (Class_FacturePESIndiv).
      issues.push({ code: 'LINE_QUANTITY', message: `Ligne ${n} : quantité strictement positive de 5 chiffres au plus attendue` });
    } else if (unitPrice.lte(0)) {
      issues.push({ code: 'LINE_UNIT_PRICE', message: `Ligne ${n} : prix unitaire strictement positif attendu` });
    } else if (l.unitPrice !== undefined && toCents(quantity.times(unitPrice)).minus(ht).abs().gt('0.01')) {
      issues.push({ code: 'LINE_QUANTITY_PRICE_MISMATCH', message: `Ligne ${n} : quantité × prix unitaire ≠ montant HT` });
    }
    return {
      lineNo: n,
      productCode: l.productCode,
      nature: l.nature,
      fonction: l.fonction ?? null,
      operation: l.operation ?? null,
      label: l.label,
      quantity: quantity.toFixed(2),
      unitPrice: unitPrice.toFixed(2),
      amountHt: ht.toFixed(2),
      vatRate: rate.toFixed(2),
      amountTva: tva.toFixed(2),
    };
  });
  const amountHt = sum(lines.map((l) => l.amountHt));
  const amountTva = sum(lines.map((l) => l.amountTva));
  const amountTtc = amountHt.plus(amountTva);
  if (amountTtc.gt(AMOUNT_MAX)) issues.push({ code: 'TITRE_AMOUNT_TOO_LARGE', message: 'Montant du titre trop élevé' });
  return {
    lines,
    totals: { amountHt: amountHt.toFixed(2), amountTva: amountTva.toFixed(2), amountTtc: amountTtc.toFixed(2) },
    issues,
  };
}

/** Rules on the titre itself (debtor, Edition, ASAP CPP fields). The directory check of an ASAP CPP is made by the service. */
export function checkTitre(t: TitreInput): Issue[] {
  const d = t.debtor;
  const person = d.category === '01';
  const issues = checkTiers(d, 'Débiteur');
  if (d.siret && !isValidSiret(d.siret)) issues.push({ code: 'DEBTOR_SIRET_INVALID', message: `SIRET du débiteur invalide : ${d.siret}` });
  // ASAP: the debtor's Adr2 (number and street) is mandatory (TAdresseFacture, bloc Debiteur).
  if (!d.address.adr2) issues.push({ code: 'DEBTOR_ADR2_REQUIRED', message: "Adresse du débiteur : numéro et voie (Adr2) obligatoires pour un ASAP" });
  if (t.edition === '01' && t.typPce !== '01') {
    // Edition 01: « doit respecter les types et natures de pièces autorisés (annexe 2) »; the annex is not at
    // hand, so only the titre ordinaire (TypPce 01) is let through.
    issues.push({ code: 'EDITION_01_TYP_PCE', message: 'ASAP à éditer (Edition 01) : seul le titre ordinaire (TypPce 01) est accepté' });
  }
  if (t.edition === '02') {
    // « Edition 02 : … NatIdTiers servie à 01 Siret et un IdTiers valide, … un NumeroFacture valorisé dans le BlocPiece ».
    if (person) issues.push({ code: 'CPP_DEBTOR_NOT_ENTITY', message: 'ASAP CPP (Edition 02) : le débiteur doit être une entité publique, pas une personne physique' });
    if (!d.siret) issues.push({ code: 'CPP_SIRET_REQUIRED', message: 'ASAP CPP (Edition 02) : le SIRET du débiteur est obligatoire' });
    if (!t.invoiceNumber) issues.push({ code: 'CPP_INVOICE_NUMBER_REQUIRED', message: 'ASAP CPP (Edition 02) : le numéro de facture (NumeroFacture) est obligatoire' });
  } else if (t.invoiceNumber || t.serviceCode || t.serviceName || t.engagementNumber || t.marketNumber) {
    issues.push({ code: 'CPP_REFS_WITHOUT_CPP', message: "Numéro de facture, code et nom de service, numéros d'engagement et de marché du débiteur ne servent qu'à un ASAP CPP (Edition 02)" });
  }
  if (!t.serviceCode && t.serviceName) issues.push({ code: 'CPP_SERVICE_NAME_WITHOUT_CODE', message: 'ASAP CPP : nom de service sans code service' });
  return issues;
}

/** Budget settings an ASAP needs (all optional in the XSD, mandatory for the DGFiP). */
export function checkSettings(s: BudgetSettings): Issue[] {
  const issues: Issue[] = [];
  const c = s.collectivite;
  if (c.categorie === '01') issues.push({ code: 'SETTINGS_EMITTER_CATEGORY', message: 'Collectivité : la catégorie 01 (personne physique) ne convient pas à un émetteur de titres' });
  else issues.push(...checkTiers({ category: c.categorie, legalNature: c.natureJuridique }, 'Collectivité', 'SETTINGS_EMITTER'));
  if (!isValidSiret(c.siret)) issues.push({ code: 'SETTINGS_SIRET_INVALID', message: `SIRET de la collectivité (IdColl) invalide : ${c.siret}` });
  if (!c.adresse.adr2) issues.push({ code: 'SETTINGS_EMITTER_ADR2', message: 'Collectivité : numéro et voie (Adr2) obligatoires pour un ASAP' });
  if (c.adresse.codPays && c.adresse.codPays !== '100') issues.push({ code: 'SETTINGS_EMITTER_RESIDENT', message: 'Collectivité : adresse en France attendue (CodRes 0)' });
  if (!c.refBdf) issues.push({ code: 'SETTINGS_REFBDF_REQUIRED', message: 'Collectivité : numéro émetteur / ICS (RefBdf) obligatoire pour un ASAP' });
  if (Boolean(c.codeTipi) !== Boolean(c.adrTipi)) issues.push({ code: 'SETTINGS_TIPI_PAIR', message: 'Collectivité : code TIPI et adresse TIPI vont ensemble' });
  const sig = s.signataire;
  if (!sig.nom || !sig.prenom || !sig.fonction) {
    issues.push({ code: 'SETTINGS_SIGNATAIRE_REQUIRED', message: 'Signataire (nom, prénom, fonction) obligatoire pour un ASAP' });
  }
  const t = s.tresorerie;
  if (!t.adresse.adr2) issues.push({ code: 'SETTINGS_TRESORERIE_ADR2', message: 'Trésorerie : numéro et voie (Adr2) obligatoires (tiers 26)' });
  if (!t.bic || !t.iban) {
    issues.push({ code: 'SETTINGS_TRESORERIE_BANK', message: 'Trésorerie : BIC et IBAN obligatoires (compte du tiers 26)' });
  } else {
    if (!isValidBIC(t.bic)) issues.push({ code: 'SETTINGS_TRESORERIE_BIC', message: `Trésorerie : BIC invalide (${t.bic})` });
    if (!isValidIBAN(t.iban)) issues.push({ code: 'SETTINGS_TRESORERIE_IBAN', message: 'Trésorerie : IBAN invalide (clé de contrôle)' });
  }
  return issues;
}

/** Rules that need both the titre and its budget's settings, checked before writing a flow. */
export function checkTitreForFlow(t: TitreData, s: BudgetSettings): Issue[] {
  const issues: Issue[] = [];
  if (s.modalites.modeRecouvrement === 'TIP' && money(t.amountTtc).gt(TIP_MAX)) {
    issues.push({ code: 'TIP_AMOUNT_LIMIT', message: `ASAP avec TIP : montant TTC ${formatEuros(t.amountTtc)} supérieur à ${formatEuros(TIP_MAX)}` });
  }
  if (money(t.amountHt).lte(0)) issues.push({ code: 'TITRE_AMOUNT_NOT_POSITIVE', message: 'Montant HT du titre nul' });
  // Totals re-checked against the lines: the file must hold what the lines say, to the cent.
  const ht = sum(t.lines.map((l) => l.amountHt));
  const tva = sum(t.lines.map((l) => l.amountTva));
  if (!ht.eq(money(t.amountHt)) || !tva.eq(money(t.amountTva)) || !ht.plus(tva).eq(money(t.amountTtc))) {
    issues.push({ code: 'TITRE_TOTALS_MISMATCH', message: 'Totaux du titre différents de la somme de ses lignes' });
  }
  if (t.edition === '02' && !t.debtorSiret) issues.push({ code: 'CPP_SIRET_REQUIRED', message: 'ASAP CPP (Edition 02) : le SIRET du débiteur est obligatoire' });
  // BlocPiece NumeroFacture, « obligatoire si Edition 02 » (v5.x): a titre recorded before the rule is caught here.
  if (t.edition === '02' && !t.invoiceNumber) issues.push({ code: 'CPP_INVOICE_NUMBER_REQUIRED', message: 'ASAP CPP (Edition 02) : le numéro de facture (NumeroFacture) est obligatoire' });
  return issues;
}

const frDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/**
 * Exercice rules that warn without blocking (French): a titre of an exercice the budget's settings say is
 * closed, an issue date outside the titre's exercice, and at generation a bordereau emitted outside it (only
 * the journée complémentaire allows emitting for the past exercice in January).
 */
export function exerciseWarnings(s: BudgetSettings, t: { year: number; issueDate: string }, emittedOn?: string): Issue[] {
  const issues: Issue[] = [];
  if ((s.exercicesClos ?? []).includes(t.year)) {
    issues.push({ code: 'EXERCICE_CLOS', message: `Exercice ${t.year} clos dans le paramétrage du budget : Hélios n'accepte plus de titre sur cet exercice` });
  }
  if (Number(t.issueDate.slice(0, 4)) !== t.year) {
    issues.push({ code: 'ISSUE_DATE_OUTSIDE_EXERCISE', message: `Date d'émission ${frDate(t.issueDate)} hors de l'exercice ${t.year}` });
  }
  if (emittedOn && Number(emittedOn.slice(0, 4)) > t.year) {
    issues.push({ code: 'BORDEREAU_AFTER_EXERCISE', message: `Bordereau émis le ${frDate(emittedOn)} sur l'exercice ${t.year} : possible seulement pendant la journée complémentaire` });
  } else if (emittedOn && Number(emittedOn.slice(0, 4)) < t.year) {
    issues.push({ code: 'BORDEREAU_BEFORE_EXERCISE', message: `Bordereau émis le ${frDate(emittedOn)} sur l'exercice ${t.year}, pas encore ouvert` });
  }
  return issues;
}
