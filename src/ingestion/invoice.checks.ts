import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { formatFrenchDecimal as fr } from '@/common/money/french-format';
import { sumAmounts, withinTolerance } from '@/common/money/money';
import { isValidSiret } from '@/common/siret/siret';
import { fieldsOverSchema } from '@/ingestion/invoice-field.limits';
import { PivotInvoice } from '@/pivot/pivot.types';

/** The recipient structure as the checks need it. */
export interface RecipientSettings {
  id: string;
  siret: string;
  serviceRequired: boolean;
  engagementRequired: boolean;
  /** « N° d'engagement ou code service » (Chorus Pro gestionNumeroEJOuCodeService): one of the two. */
  engagementOrServiceRequired: boolean;
  paymentDelayDays: number;
  services: Map<string, { label: string; active: boolean }>;
}

export type AnomalyCode =
  | 'UNKNOWN_RECIPIENT'
  | 'INVALID_SIRET'
  | 'UNKNOWN_SERVICE'
  | 'MISSING_SERVICE_CODE'
  | 'MISSING_ENGAGEMENT'
  | 'MISSING_ENGAGEMENT_OR_SERVICE'
  | 'AMOUNTS_INCONSISTENT'
  | 'MISSING_INVOICE_PDF'
  | 'INVALID_IBAN'
  | 'ATTACHMENT_UNREADABLE'
  | 'FIELD_TOO_LONG';

/** French names of the anomalies, as the lists show them (the code stays in a tooltip): served by /api/web/meta. */
export const ANOMALY_LABELS: Record<AnomalyCode, string> = {
  UNKNOWN_RECIPIENT: 'Destinataire inconnu',
  INVALID_SIRET: 'SIRET invalide',
  UNKNOWN_SERVICE: 'Service inconnu ou inactif',
  MISSING_SERVICE_CODE: 'Code service manquant',
  MISSING_ENGAGEMENT: 'N° d’engagement manquant',
  MISSING_ENGAGEMENT_OR_SERVICE: 'N° d’engagement ou code service manquant',
  AMOUNTS_INCONSISTENT: 'Montants incohérents',
  MISSING_INVOICE_PDF: 'PDF de la facture manquant',
  INVALID_IBAN: 'IBAN invalide',
  ATTACHMENT_UNREADABLE: 'Pièce jointe illisible',
  FIELD_TOO_LONG: 'Champ plus long que le format pivot',
};

export interface Anomaly {
  code: AnomalyCode;
  message: string;
}

// Pivot identifier type 1 = SIRET (AIFE code list TypeIdentifiant).
const SIRET_ID_TYPE = '1';
// Chorus Pro's tolerance for rounding between HT, VAT and TTC (issue: AMOUNTS_INCONSISTENT beyond 0.01).
const TOLERANCE = '0.01';

/**
 * Checks a readable invoice. An invoice is always stored, anomalies included, so that the staff decide:
 * nothing here refuses anything.
 */
export function checkInvoice(invoice: PivotInvoice, recipient: RecipientSettings | null): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const add = (code: AnomalyCode, message: string) => anomalies.push({ code, message });
  const debtorSiret = invoice.debtor.id.trim();

  if (invoice.debtor.idType === SIRET_ID_TYPE && !isValidSiret(debtorSiret)) {
    add('INVALID_SIRET', `Le SIRET du destinataire « ${debtorSiret} » est invalide (clé de contrôle)`);
  }
  if (invoice.supplier.idType === SIRET_ID_TYPE && !isValidSiret(invoice.supplier.id.trim())) {
    add('INVALID_SIRET', `Le SIRET du fournisseur « ${invoice.supplier.id} » est invalide (clé de contrôle)`);
  }
  if (!recipient) {
    add('UNKNOWN_RECIPIENT', `Le destinataire SIRET ${debtorSiret} n'est pas une structure déclarée dans Passerelle`);
  } else {
    const code = invoice.debtor.serviceCode?.trim();
    if (code) {
      const service = recipient.services.get(code);
      if (!service) add('UNKNOWN_SERVICE', `Le code service « ${code} » n'existe pas pour la structure ${recipient.siret}`);
      else if (!service.active) add('UNKNOWN_SERVICE', `Le service « ${code} » (${service.label}) est inactif`);
    } else if (recipient.serviceRequired) {
      add('MISSING_SERVICE_CODE', `Le code service est obligatoire pour la structure ${recipient.siret} et il est absent`);
    }
    const engagement = invoice.engagement.engagementNumber?.trim();
    if (recipient.engagementRequired && !engagement) {
      add('MISSING_ENGAGEMENT', `Le numéro d'engagement est obligatoire pour la structure ${recipient.siret} et il est absent`);
    }
    // Either one suffices; when a stricter rule above already flagged a missing one, this adds nothing.
    if (recipient.engagementOrServiceRequired && !code && !engagement && !recipient.serviceRequired && !recipient.engagementRequired) {
      add(
        'MISSING_ENGAGEMENT_OR_SERVICE',
        `Le numéro d'engagement ou le code service est obligatoire pour la structure ${recipient.siret} et les deux sont absents`,
      );
    }
  }

  // Amounts written exactly (French decimal comma, never rounded): a rounded figure could hide the gap.
  const { ht, ttc } = invoice.amounts;
  const vatTotal = sumAmounts(invoice.vats.map((v) => v.amount));
  if (!withinTolerance(sumAmounts([ht, vatTotal]), ttc, TOLERANCE)) {
    add(
      'AMOUNTS_INCONSISTENT',
      `Montant HT (${fr(ht)}) + TVA (${fr(vatTotal)}) ≠ montant TTC (${fr(ttc)}) à 0,01 près`,
    );
  }
  if (invoice.lines.length > 0) {
    const linesTotal = sumAmounts(invoice.lines.map((l) => l.amountHt));
    if (!withinTolerance(linesTotal, ht, TOLERANCE)) {
      add('AMOUNTS_INCONSISTENT', `Somme des lignes (${fr(linesTotal)}) ≠ montant HT (${fr(ht)}) à 0,01 près`);
    }
  }

  if (!invoice.attachments.some((a) => a.type === '01')) {
    add('MISSING_INVOICE_PDF', 'Aucune pièce jointe de type 01 (facture) : la facture elle-même manque');
  }

  const bank = invoice.supplier.bank;
  const account = bank?.account?.trim();
  if (account && (bank?.type?.toUpperCase() === 'IBAN' || /^[A-Z]{2}\d{2}/i.test(account))) {
    const iban = electronicFormatIBAN(account) ?? '';
    if (!isValidIBAN(iban)) add('INVALID_IBAN', `L'IBAN du fournisseur « ${account} » est invalide`);
  }

  for (const attachment of invoice.attachments) {
    if (attachment.error) {
      add('ATTACHMENT_UNREADABLE', `Pièce jointe « ${attachment.name} » illisible : ${attachment.error.message}`);
    }
  }
  // Longer than the XSD allows but within the column: stored whole, flagged (longer than the column: unreadable).
  for (const over of fieldsOverSchema(invoice)) add('FIELD_TOO_LONG', `Champ trop long : ${over}`);
  return anomalies;
}
