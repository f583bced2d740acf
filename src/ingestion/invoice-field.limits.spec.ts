import { unstorableField } from '@/ingestion/invoice-field.limits';
import { PivotInvoice } from '@/pivot/pivot.types';

function invoice(change: (i: PivotInvoice) => void = () => undefined): PivotInvoice {
  const inv: PivotInvoice = {
    numOrdre: 1,
    supplier: { idType: '1', id: '44306184100047', name: 'SARL Test' },
    debtor: { idType: '1', id: '21490412000018' },
    number: 'F-1',
    type: '380',
    cadre: 'A1',
    issueDate: '2026-02-27',
    receptionDate: '2026-03-02',
    amounts: { ht: '100.00', ttc: '120.00', netToPay: '120.00' },
    vats: [{ rate: '20', baseHt: '100.00', amount: '20.00' }],
    engagement: {},
    lines: [{ numOrdre: 1, unitPrice: '100', quantity: '1', amountHt: '100.00' }],
    attachments: [],
    validations: [],
  };
  change(inv);
  return inv;
}

describe('unstorableField: what numeric(24,6) and varchar(n) hold, counted as PostgreSQL does', () => {
  it('accepts amounts whose extra digits are only leading or trailing zeros', () => {
    expect(unstorableField(invoice((i) => (i.amounts.ht = '000000000000000000000123456789012345678.5')))).toBeUndefined();
    expect(unstorableField(invoice((i) => (i.lines[0].quantity = '1.500000000')))).toBeUndefined();
    expect(unstorableField(invoice((i) => (i.amounts.ttc = '-123456789012345678.123456')))).toBeUndefined();
  });

  it('refuses a 19th significant digit before the point and a 7th significant decimal', () => {
    expect(unstorableField(invoice((i) => (i.amounts.ht = '1234567890123456789')))).toBe('Montants/MontantHT « 1234567890123456789 » : 18 chiffres au plus avant la virgule');
    expect(unstorableField(invoice((i) => (i.lines[0].quantity = '1.1234567')))).toBe('Ligne/Quantite « 1.1234567 » : 6 décimales au plus');
  });

  it('counts text in characters, spaces around it left out', () => {
    const siret = (id: string) => unstorableField(invoice((i) => (i.supplier.id = id)));
    expect(siret('😀'.repeat(100))).toBeUndefined(); // 200 UTF-16 units, 100 characters
    expect(siret(`  ${'1'.repeat(100)}  `)).toBeUndefined();
    expect(siret('1'.repeat(101))).toMatch(/^Fournisseur\/Identifiant de 101 caractères \(100 au plus\)$/);
  });
});
