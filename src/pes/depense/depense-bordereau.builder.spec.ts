import type { MandateForDepense } from '@/invoices/mandate-export.service';
import { mapMandat, pjName } from '@/pes/depense/depense-bordereau.builder';

const base: MandateForDepense = {
  mandateId: 'm1', invoiceId: 'i1', structureId: 's1', number: '2026-000007', year: 2026, sequence: 7, object: 'Facture N° F-1 du 01/03/2026 reçue le 02/03/2026',
  train: 'normal', releasedAt: null, amount: '120.00', supplierIdType: '1', supplierId: '44306184100047', supplierName: 'SARL LES ATELIERS RÉUNIS DE LA VALLÉE DE LA LOIRE ET DU CHER',
  supplierCountry: 'FR', iban: 'FR76 3000 6000 0112 3456 7890 189', bankEstablishment: 'AGRIFRPP', bankHolder: null, invoiceNumber: 'F-1', invoiceType: '380',
  issueDate: '2026-03-01', receptionDate: '2026-03-02', dueDate: '2026-04-01', netAmount: '120.000000', marketNumber: null, serviceCode: null,
  imputations: [{ article: '2183', fonction: null, operation: '12', service: null, amount: '120.00', engagement: null }],
  attachments: [
    { id: 'a2', type: '02', name: 'bon de livraison', mimeType: 'application/pdf', storageKey: 'k2', errorMessage: null },
    { id: 'a1', type: '01', name: 'F-1.pdf', mimeType: 'application/pdf', storageKey: 'k1', errorMessage: null },
  ],
};
const facts = { paymentDelayDays: 30, txIntMor: '10.15', pjIdUnique: (p: number, r: number) => `ID${p}S${r}` };

describe('mandat → PES_DepenseAller piece', () => {
  it('maps the invoice PDF first, the tiers (SIRET, IBAN, BIC, name cut at 38), investment nature, DGP', () => {
    const r = mapMandat(base, facts);
    if (!r.ok) throw new Error(r.reason);
    expect(r.mandat).toMatchObject({ idPce: 7, natPce: '02', dgp: { debut: '2026-03-02', fin: '2026-04-01', duree: 30, txIntMor: '10.15' } });
    expect(r.mandat.pjs.map((p) => [p.idUnique, p.storageKey, p.nomPJ])).toEqual([['ID7S1', 'k1', 'F-1.pdf'], ['ID7S2', 'k2', 'bon de livraison.pdf']]);
    expect(r.mandat.tiers).toMatchObject({ idTiers: '44306184100047', natIdTiers: '01', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP', libBanc: null });
    expect([...r.mandat.tiers.nom].length).toBe(38);
    expect(r.mandat.tiers.complNom).toBeTruthy();
  });

  it('refuses in French: no readable PDF, no IBAN, a non-numeric article, a private person', () => {
    const reason = (m: Partial<MandateForDepense>) => {
      const r = mapMandat({ ...base, ...m }, facts);
      return r.ok ? null : r.reason;
    };
    expect(reason({ attachments: [{ ...base.attachments[1], storageKey: null, errorMessage: 'ZIP corrompu' }] })).toBe(
      "Mandat 2026-000007 : la facture F-1 n'a pas de PDF lisible (ZIP corrompu) ; Hélios exige la pièce justificative",
    );
    expect(reason({ iban: null })).toBe('Mandat 2026-000007 : IBAN du fournisseur absent du flux pivot ; un virement en a besoin');
    expect(reason({ iban: 'FR7630006000011234567890188' })).toMatch(/IBAN du fournisseur « FR7630006000011234567890188 » invalide/);
    expect(reason({ imputations: [{ ...base.imputations[0], article: '60A4' }] })).toMatch(/l'article « 60A4 » n'est pas un compte par nature en chiffres/);
    expect(reason({ supplierIdType: '7' })).toMatch(/fournisseur particulier/);
  });

  it('names PJ as Hélios accepts them (extension, 100 characters)', () => {
    expect(pjName('facture', 'application/pdf')).toBe('facture.pdf');
    expect(pjName('a/b.PDF', 'application/pdf')).toBe('a_b.PDF');
    const long = pjName(`${'x'.repeat(120)}.pdf`, 'application/pdf');
    expect(long).toHaveLength(100);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});
