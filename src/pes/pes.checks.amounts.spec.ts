import { checkTitreForFlow, normalizeLines } from '@/pes/pes.checks';
import type { BudgetSettings, TitreData } from '@/pes/pes.types';

const N = '\u202f';
const B = '\u00a0';

describe('PES checks: amounts in the messages are French', () => {
  it('says a VAT mismatch with French amounts and rate', () => {
    const { issues } = normalizeLines([{ productCode: 'P1', nature: '7066', label: 'Repas', amountHt: '1210.10', vatRate: '5.5', amountTva: '70.00' }]);
    expect(issues).toEqual([
      { code: 'LINE_VAT_MISMATCH', message: `Ligne 1 : TVA 70,00${B}€ incohérente avec 1${N}210,10${B}€ × 5,5${B}% = 66,56${B}€` },
    ]);
  });

  it('says the TIP limit with French amounts', () => {
    const titre = { edition: '01', amountHt: '150000.01', amountTva: '0.00', amountTtc: '150000.01', lines: [{ amountHt: '150000.01', amountTva: '0.00' }] } as unknown as TitreData;
    const settings = { modalites: { modeRecouvrement: 'TIP' } } as unknown as BudgetSettings;
    expect(checkTitreForFlow(titre, settings)).toEqual([
      { code: 'TIP_AMOUNT_LIMIT', message: `ASAP avec TIP : montant TTC 150${N}000,01${B}€ supérieur à 150${N}000,00${B}€` },
    ]);
  });
});
