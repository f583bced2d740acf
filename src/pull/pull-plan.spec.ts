import { FactureRecipiendaire } from '@/chorus-pro/chorus-pro.types';
import { KnownInvoices, PullPlan } from '@/pull/pull-plan';

const entry = (idFacture: number, statut: string, at: string, taille = 10): FactureRecipiendaire =>
  ({ idFacture, statut, dateHeureEtatCourant: at, taille }) as FactureRecipiendaire;

describe('PullPlan (search pages as they arrive)', () => {
  const stored: KnownInvoices = new Map([['2', { id: 'inv-2', cppStatus: 'MISE_A_DISPOSITION' }]]);
  const lookups: string[][] = [];
  const none: ReadonlySet<number> = new Set();
  const plan = () => {
    lookups.length = 0;
    return new PullPlan(1000, 2, async (ids) => {
      lookups.push(ids);
      return new Map([...stored].filter(([id]) => ids.includes(id)));
    });
  };

  it('downloads new invoices by full groups as pages come, records the status of stored ones, skips those held', async () => {
    const p = plan();
    const first = await p.add([entry(1, 'MISE_A_DISPOSITION', '2026-12-01T10:00'), entry(2, 'MISE_EN_PAIEMENT', '2026-12-01T10:00'), entry(3, 'MISE_A_DISPOSITION', '2026-12-01T10:00')], none);
    expect(first.groups.map((g) => g.map((e) => e.idFacture))).toEqual([[1, 3]]);
    expect(first.fresh.map((e) => e.idFacture)).toEqual([1, 3]);
    expect([...p.changes.values()].map((c) => [c.invoice.id, c.entry.statut])).toEqual([['inv-2', 'MISE_EN_PAIEMENT']]);
    const second = await p.add([entry(4, 'MISE_A_DISPOSITION', '2026-12-01T10:00'), entry(9, 'MISE_A_DISPOSITION', '2026-12-01T10:00')], new Set([9]));
    expect(second.groups).toEqual([]);
    expect(p.flush().map((g) => g.map((e) => e.idFacture))).toEqual([[4]]);
    expect(p.fresh.has(9)).toBe(false); // held on the works side: neither downloaded nor created
    expect(lookups).toEqual([['1', '2', '3'], ['4', '9']]); // one look-up per page
  });

  it('an invoice seen again on a later page (its status changed meanwhile) counts once, with its latest entry', async () => {
    const p = plan();
    await p.add([entry(1, 'MISE_A_DISPOSITION', '2026-12-01T10:00'), entry(2, 'MISE_A_DISPOSITION', '2026-12-01T10:00')], none);
    const later = await p.add([entry(1, 'REJETEE', '2026-12-01T11:00'), entry(2, 'MISE_EN_PAIEMENT', '2026-12-01T11:00'), entry(1, 'SUSPENDUE', '2026-12-01T09:00')], none);
    expect(later.groups).toEqual([]); // not downloaded twice
    expect(later.fresh.map((e) => [e.idFacture, e.statut])).toEqual([[1, 'REJETEE']]); // its first status, again
    expect(p.fresh.get(1)?.statut).toBe('REJETEE'); // an older entry does not win
    expect(p.changes.get(2)?.entry.statut).toBe('MISE_EN_PAIEMENT');
    expect(p.flush().map((g) => g.map((e) => e.idFacture))).toEqual([[1]]);
  });
});
