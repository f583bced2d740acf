import { unstorableField } from '@/ingestion/invoice-field.limits';
import { samplePivotInvoice } from '@/pivot/pivot-invoice.sample';
import { PivotInvoice } from '@/pivot/pivot.types';

function invoice(change: (i: PivotInvoice) => void = () => undefined): PivotInvoice {
  const inv = samplePivotInvoice({ ht: '100.00', ttc: '120.00' }, ['20.00'], ['100.00']);
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
