import { CAT_NAT_GRID, checkTiers } from '@/pes/pes-tiers.checks';
import { debtorSchema } from '@/pes/pes.types';

const address = { adr2: '1 RUE HAUTE', cp: '34000', ville: 'EXEMPLEVILLE' };
const codes = (t: Parameters<typeof checkTiers>[0]) => checkTiers(t, 'Débiteur').map((i) => i.code);

describe('tiers rules (annexe 3, civilités)', () => {
  it('follows the CatTiers/NatJur grid of annexe 3', () => {
    expect(CAT_NAT_GRID['01']).toEqual(['01', '02']);
    for (const c of ['21', '22', '23', '24', '25', '26', '27']) expect(CAT_NAT_GRID[c]).toEqual(['09']);
    for (const c of ['60', '61', '62', '64', '72', '74']) expect(CAT_NAT_GRID[c]).toEqual(['04']);
    expect([CAT_NAT_GRID['20'], CAT_NAT_GRID['28'], CAT_NAT_GRID['29'], CAT_NAT_GRID['50']]).toEqual([['07', '08'], ['08'], ['10'], ['03', '06']]);
    expect([CAT_NAT_GRID['63'], CAT_NAT_GRID['65'], CAT_NAT_GRID['70'], CAT_NAT_GRID['71'], CAT_NAT_GRID['73']]).toEqual([['04', '11'], ['04', '05'], ['05'], ['05'], ['05']]);
    expect(codes({ category: '50', legalNature: '03' })).toEqual([]);
    expect(codes({ category: '23', legalNature: '09' })).toEqual([]);
    const bad = checkTiers({ category: '60', legalNature: '03' }, 'Débiteur');
    expect(bad).toEqual([{ code: 'DEBTOR_CAT_NAT_PAIR', message: expect.stringContaining('ne va pas avec la catégorie 60') }]);
    expect(bad[0].message).toContain('attendu : 04');
  });

  it('wants civilité and prénom for a person (catégorie 01) only', () => {
    expect(codes({ category: '01', legalNature: '01', civility: 'MME', firstName: 'ANNE' })).toEqual([]);
    expect(codes({ category: '01', legalNature: '02' })).toEqual(['DEBTOR_CIVILITY_REQUIRED', 'DEBTOR_FIRST_NAME_REQUIRED']);
    expect(codes({ category: '50', legalNature: '03', civility: 'M' })).toEqual(['DEBTOR_ENTITY_PERSON_FIELDS']);
  });

  it('accepts only M and MME as civilité, and says NatJur 00 is no nature', () => {
    const parse = (d: Record<string, unknown>) => debtorSchema.safeParse({ category: '01', legalNature: '01', name: 'MARTIN', firstName: 'JEAN', address, ...d });
    expect(parse({ civility: ' mme ' }).data?.civility).toBe('MME');
    for (const bad of ['M.', 'Mlle', 'MR', 'Monsieur']) {
      const r = parse({ civility: bad });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0].message).toBe('Civilité du débiteur : M ou MME attendu (liste fermée de la DGFiP)');
    }
    for (const v of ['00', 0]) {
      const r = parse({ legalNature: v, civility: 'M' });
      expect(r.error!.issues.map((i) => i.message)).toEqual(["Nature juridique du débiteur (NatJur) : 00 n'est pas une nature juridique (valeurs 01 à 11, annexe 3)"]);
    }
  });
});
