import { FactureRecipiendaire } from '@/chorus-pro/chorus-pro.types';
import { FirstStatuses } from '@/pull/first-statuses';
import { StatusToRecord } from '@/pull/pull-status.recorder';

const entry = (idFacture: number, statut = 'MISE_A_DISPOSITION') => ({ idFacture, statut }) as FactureRecipiendaire;

describe('FirstStatuses', () => {
  it('while importing, looks up only the invoices whose group went to the import; at the end, every one still pending', async () => {
    const lookups: string[][] = [];
    const recorded: StatusToRecord[][] = [];
    const existing = new Set(['1', '2', '3']);
    const first = new FirstStatuses({
      lookup: async (ids) => {
        lookups.push(ids);
        return new Map(ids.filter((id) => existing.has(id)).map((id) => [id, { id: `inv-${id}`, cppStatus: null }]));
      },
      record: async (found) => recorded.push(found),
      whileImporting: true,
    });
    first.add([entry(1), entry(2), entry(3), entry(4)]);
    first.downloaded([entry(1), entry(2)]);
    for (let i = 0; i < 200; i++) first.stored(); // a round
    await new Promise((resolve) => setImmediate(resolve));
    first.add([entry(2, 'REJETEE')]); // a later page: its newer status, to record again
    await first.finish();
    expect(lookups).toEqual([['1', '2'], ['3', '4', '2']]);
    expect(recorded.map((r) => r.map((s) => [s.invoice.id, s.entry.statut]))).toEqual([
      [['inv-1', 'MISE_A_DISPOSITION'], ['inv-2', 'MISE_A_DISPOSITION']],
      [['inv-3', 'MISE_A_DISPOSITION'], ['inv-2', 'REJETEE']],
    ]);
  });

  it('on the embedded database, nothing before the end', async () => {
    const lookups: string[][] = [];
    const first = new FirstStatuses({ lookup: async (ids) => (lookups.push(ids), new Map()), record: async () => undefined, whileImporting: false });
    first.add([entry(1)]);
    first.downloaded([entry(1)]);
    for (let i = 0; i < 400; i++) first.stored();
    expect(lookups).toEqual([]);
    await first.finish();
    expect(lookups).toEqual([['1']]);
  });
});
