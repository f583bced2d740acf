import { planDownloadGroups } from '@/pull/download-groups';

describe('planDownloadGroups', () => {
  const inv = (idFacture: number, taille?: number) => ({ idFacture, taille });

  it('fills groups up to the byte budget, in order', () => {
    const groups = planDownloadGroups([inv(1, 40), inv(2, 40), inv(3, 40), inv(4, 10)], 100, 50);
    expect(groups.map((g) => g.map((i) => i.idFacture))).toEqual([[1, 2], [3, 4]]);
  });

  it('caps the number of invoices per group', () => {
    const groups = planDownloadGroups([1, 2, 3, 4, 5].map((i) => inv(i, 1)), 1000, 2);
    expect(groups.map((g) => g.length)).toEqual([2, 2, 1]);
  });

  it('puts an invoice larger than the budget alone in its group', () => {
    const groups = planDownloadGroups([inv(1, 10), inv(2, 500), inv(3, 10)], 100, 50);
    expect(groups.map((g) => g.map((i) => i.idFacture))).toEqual([[1], [2], [3]]);
  });

  it('counts an unknown size as an even share of the budget', () => {
    const groups = planDownloadGroups([1, 2, 3, 4, 5].map((i) => inv(i)), 100, 4);
    expect(groups.map((g) => g.length)).toEqual([4, 1]);
  });
});
