import { createUserAndToken, testSiret } from '@test/support/auth';
import { runCliInProcess } from '@test/support/cli';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

const N = '\u202f';
const B = '\u00a0';

describe('passerelle invoices <action>: numbers as references, French amounts, one option set per action', () => {
  let t: TestApp;
  const S = testSiret(61);
  const OTHER = testSiret(62);
  const cli = (...args: string[]) => runCliInProcess(t.app, args);

  beforeAll(async () => {
    t = await createTestApp();
    await createUserAndToken(t, { email: 'agent@s61.fr', role: 'agent', structureSirets: [S] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts an invoice number as well as an id, and lists the candidates of an ambiguous number', async () => {
    const single = await createInvoice(t, { structureSiret: S, number: 'FA-2026-0042', netAmount: '919.870000' });
    const a = await createInvoice(t, { structureSiret: S, number: 'FA-2026-0077', supplierId: '44306184100047', supplierName: 'SARL Dupont', netAmount: '1494.600000' });
    const b = await createInvoice(t, { structureSiret: S, number: 'FA-2026-0077', supplierId: '73282932000074', supplierName: 'SAS Martin', netAmount: '12.5' });
    // The same number in a structure the user does not see: neither a candidate nor a leak.
    await createInvoice(t, { structureSiret: OTHER, number: 'FA-2026-0042', supplierId: '73282932000074' });

    const r = await cli('invoices', 'record', 'FA-2026-0042', 'FA-2026-0077', 'INCONNUE-1', '--as', 'agent@s61.fr', '--json');
    expect(r.exitCode).toBe(1);
    const { results } = JSON.parse(r.lines.at(-1)!);
    expect(results).toEqual([
      expect.objectContaining({ reference: 'FA-2026-0042', id: single.id, ok: true, status: 'FACTUREE' }),
      expect.objectContaining({ reference: 'FA-2026-0077', ok: false, code: 'INVOICE_NUMBER_AMBIGUOUS' }),
      expect.objectContaining({ reference: 'INCONNUE-1', ok: false, code: 'INVOICE_NOT_FOUND', message: 'Aucune facture ne porte le numéro « INCONNUE-1 »' }),
    ]);
    const ambiguous = results[1].message as string;
    expect(ambiguous).toContain(`${a.id} (SARL Dupont, du 27/02/2026, 1${N}494,60${B}€)`);
    expect(ambiguous).toContain(`${b.id} (SAS Martin, du 27/02/2026, 12,50${B}€)`);
    expect(ambiguous).toMatch(/Indiquez l'identifiant/);

    // By id, the ambiguity is gone; the human output names the invoice by what was typed.
    const byId = await cli('invoices', 'record', a.id, '--as', 'agent@s61.fr');
    expect(byId.exitCode).toBe(0);
    expect(byId.lines).toEqual([expect.stringMatching(new RegExp(`^${a.id}  Facturée  échéance \\d{2}/\\d{2}/\\d{4}$`))]);
  });

  it('mandates with a French decimal comma in --imputation and says mismatches in French amounts', async () => {
    const inv = await createInvoice(t, { structureSiret: S, number: 'FA-2026-0100', netAmount: '919.870000' });
    const wrong = await cli('invoices', 'mandate', 'FA-2026-0100', '--as', 'agent@s61.fr', '--imputation', 'article=6064,amount=900', '--json');
    expect(JSON.parse(wrong.lines.at(-1)!).results[0]).toMatchObject({
      ok: false,
      code: 'IMPUTATIONS_TOTAL_MISMATCH',
      message: `Le total des imputations (900,00${B}€) doit égaler le net à payer de la facture (919,87${B}€)`,
    });
    const ok = await cli('invoices', 'mandate', 'FA-2026-0100', '--as', 'agent@s61.fr', '--imputation', 'article=6064,fonction=020,amount=919,87', '--json');
    expect(JSON.parse(ok.lines.at(-1)!).results).toEqual([expect.objectContaining({ id: inv.id, ok: true, status: 'MANDATEE' })]);
  });

  it('refuses options an action does not take (reject options on mandate)', async () => {
    await createInvoice(t, { structureSiret: S, number: 'FA-2026-0200' });
    await expect(cli('invoices', 'mandate', 'FA-2026-0200', '--as', 'agent@s61.fr', '--reason', 'DOUBLON')).rejects.toMatchObject({
      code: 'commander.unknownOption',
    });
  });

  it('prints French amounts in human output and exact decimals in JSON (invoices list)', async () => {
    const human = await cli('invoices', 'list', '--structure', S);
    expect(human.lines.find((l) => l.includes('FA-2026-0042'))).toContain(`919,87${B}€`);
    const json = JSON.parse((await cli('invoices', 'list', '--structure', S, '--json')).lines.at(-1)!) as Array<{ number: string; netAmount: string }>;
    expect(json.find((i) => i.number === 'FA-2026-0042')!.netAmount).toBe('919.870000');
  });

  it('status push prints one human line without --json, the JSON summary only with it', async () => {
    const human = await cli('status', 'push');
    expect(human.lines).toEqual([expect.stringMatching(/^Envoyés : \d+ ; déjà présents : \d+ ; en erreur : \d+ ; en attente : \d+$/)]);
    const json = await cli('status', 'push', '--json');
    expect(JSON.parse(json.lines.at(-1)!)).toEqual(expect.objectContaining({ sent: expect.any(Number), pending: expect.any(Number) }));
  });
});
