import { DownloadGroupPlanner, planDownloadGroups } from '@/pull/download-groups';

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

describe('DownloadGroupPlanner (invoices arriving page by page)', () => {
  const inv = (idFacture: number, taille?: number) => ({ idFacture, taille });

  it('hands a group out as soon as it is full, the partial one at flush, as planDownloadGroups would', () => {
    const planner = new DownloadGroupPlanner<{ idFacture: number; taille?: number }>(100, 2);
    expect(planner.add(inv(1, 10))).toEqual([]);
    expect(planner.add(inv(2, 10)).map((g) => g.map((i) => i.idFacture))).toEqual([[1, 2]]); // full by count: at once
    expect(planner.add(inv(3, 60))).toEqual([]);
    expect(planner.add(inv(4, 60)).map((g) => g.map((i) => i.idFacture))).toEqual([[3]]); // 4 does not fit with 3
    expect(planner.flush()?.map((i) => i.idFacture)).toEqual([4]);
    expect(planner.flush()).toBeUndefined();
  });

  it('with one invoice per group, an invoice that does not fit closes two groups', () => {
    const planner = new DownloadGroupPlanner<{ idFacture: number; taille?: number }>(100, 1);
    expect(planner.add(inv(1, 10)).length).toBe(1);
    expect(planner.add(inv(2, 500)).map((g) => g.map((i) => i.idFacture))).toEqual([[2]]);
  });
});
