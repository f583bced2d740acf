import { checkTalon, talonLines } from '@/pes/pes-talon';
import type { BudgetSettings, TitreData } from '@/pes/pes.types';

const settings = (talon: BudgetSettings['talon'], mode: 'TIP' | 'TALON' = 'TALON') =>
  ({ collectivite: { siret: '21340000100011', codCol: '123', codBud: '01', idPost: '034000' }, modalites: { modeRecouvrement: mode }, talon }) as unknown as BudgetSettings;
const titre = (edition: string, talon: TitreData['talon'] = null) => ({ year: 2024, number: 7, amountTtc: '1592.95', edition, talon }) as unknown as TitreData;

describe('talon optique (never a computed key)', () => {
  it('fills the settings templates with the titre data only', () => {
    expect(talonLines(settings({ ligne1: '{CODCOL}{CODBUD} {EXERCICE} {BORDEREAU:7} {TITRE:13}', ligne2: '{SIRET} {MONTANT:12}' }), titre('01'), 12)).toEqual([
      '12301 2024 0000012 0000000000007',
      '21340000100011 000000159295',
    ]);
  });

  it('prefers the lines the accounting software gave with the titre, kept as given', () => {
    expect(talonLines(settings({ ligne1: '{TITRE}', ligne2: '{SIRET}' }), titre('01', { ligne1: 'A1 2', ligne2: '99 88' }), 1)).toEqual(['A1 2', '99 88']);
  });

  it('refuses an ASAP to edit in talon mode without lines, not in TIP mode nor for Editions 02/04', () => {
    expect(checkTalon(settings({}), titre('01')).map((i) => i.code)).toEqual(['TALON_REQUIRED']);
    expect(checkTalon(settings({}, 'TIP'), titre('01'))).toEqual([]);
    expect(checkTalon(settings({}), titre('04'))).toEqual([]);
    expect(checkTalon(settings({ ligne1: '{SIRET}{SIRET}{SIRET}{SIRET}{SIRET}', ligne2: '1' }), titre('01')).map((i) => i.code)).toEqual(['TALON_LINE_INVALID']);
  });
});
