import { checkInvoice, RecipientSettings } from '@/ingestion/invoice.checks';
import { samplePivotInvoice } from '@/pivot/pivot-invoice.sample';
import { PivotInvoice } from '@/pivot/pivot.types';

const N = '\u202f';

const invoice = samplePivotInvoice;

const amountMessages = (inv: PivotInvoice) => checkInvoice(inv, null).filter((a) => a.code === 'AMOUNTS_INCONSISTENT').map((a) => a.message);

describe('invoice checks: amounts in the messages are French and exact', () => {
  it('says HT + TVA ≠ TTC with decimal commas', () => {
    expect(amountMessages(invoice({ ht: '96.36', ttc: '99.00' }, ['2.02']))).toEqual(['Montant HT (96,36) + TVA (2,02) ≠ montant TTC (99,00) à 0,01 près']);
  });

  it('keeps every decimal of a 6-decimal pivot amount (a rounded figure could hide the gap) and groups thousands', () => {
    expect(amountMessages(invoice({ ht: '3245.681450', ttc: '3894.830000' }, ['649.136290', '0.000001']))).toEqual([
      `Montant HT (3${N}245,68145) + TVA (649,136291) ≠ montant TTC (3${N}894,83) à 0,01 près`,
    ]);
  });

  it('says the sum of the lines ≠ HT with decimal commas', () => {
    expect(amountMessages(invoice({ ht: '1000.00', ttc: '1200.00' }, ['200.00'], ['600.00', '399.5']))).toEqual([
      `Somme des lignes (999,50) ≠ montant HT (1${N}000,00) à 0,01 près`,
    ]);
  });
});

describe('invoice checks: « N° d’engagement ou code service » (Chorus Pro gestionNumeroEJOuCodeService)', () => {
  const recipient = (rules: Partial<Pick<RecipientSettings, 'serviceRequired' | 'engagementRequired' | 'engagementOrServiceRequired'>>): RecipientSettings => ({
    id: 'r',
    siret: '21490412000018',
    serviceRequired: false,
    engagementRequired: false,
    engagementOrServiceRequired: false,
    paymentDelayDays: 30,
    services: new Map([['ST', { label: 'Services techniques', active: true }]]),
    ...rules,
  });
  const missing = (inv: PivotInvoice, r: RecipientSettings) =>
    checkInvoice(inv, r)
      .map((a) => a.code)
      .filter((c) => c.startsWith('MISSING_') && c !== 'MISSING_INVOICE_PDF');
  const base = () => invoice({ ht: '100.00', ttc: '120.00' }, ['20.00']);

  it('asks for one of the two: either is enough, neither is MISSING_ENGAGEMENT_OR_SERVICE', () => {
    const rule = recipient({ engagementOrServiceRequired: true });
    expect(missing(base(), rule)).toEqual(['MISSING_ENGAGEMENT_OR_SERVICE']);
    const withService = base();
    withService.debtor.serviceCode = 'ST';
    expect(missing(withService, rule)).toEqual([]);
    const withEngagement = base();
    withEngagement.engagement = { engagementNumber: 'EJ-2026-001' };
    expect(missing(withEngagement, rule)).toEqual([]);
    const blank = base();
    blank.engagement = { engagementNumber: '   ' };
    expect(missing(blank, rule)).toEqual(['MISSING_ENGAGEMENT_OR_SERVICE']);
    expect(checkInvoice(base(), rule).find((a) => a.code === 'MISSING_ENGAGEMENT_OR_SERVICE')?.message).toBe(
      "Le numéro d'engagement ou le code service est obligatoire pour la structure 21490412000018 et les deux sont absents",
    );
  });

  it('adds nothing when a stricter rule already says what is missing', () => {
    expect(missing(base(), recipient({ engagementOrServiceRequired: true, serviceRequired: true }))).toEqual(['MISSING_SERVICE_CODE']);
    expect(missing(base(), recipient({ engagementOrServiceRequired: true, engagementRequired: true }))).toEqual(['MISSING_ENGAGEMENT']);
    expect(missing(base(), recipient({}))).toEqual([]);
  });
});

