import { Clock, FixedClock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { runCliInProcess } from '@test/support/cli';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

const S1 = testSiret(141);
const S2 = testSiret(142);
const MANDATE = { imputations: [{ article: '6064', fonction: '020', service: 'COMPTA' }] };
const B = '\u00a0';
const N = '\u202f';

/** Issue 14: the payment clock of the code de la commande publique and the intérêts moratoires, through the HTTP API. */
describe('payment clock and intérêts moratoires (code de la commande publique)', () => {
  let t: TestApp;
  const clock = new FixedClock(new Date('2025-03-10T09:00:00Z'));
  const tokens: Record<string, string> = {};
  const as = (who: string) => apiAs(t, tokens[who]);
  const at = (iso: string) => clock.set(new Date(iso));

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: Clock, useValue: clock }] });
    tokens.agent = await createUserAndToken(t, { email: 'agent@s141.fr', role: 'agent', structureSirets: [S1] });
    tokens.admin = await createUserAndToken(t, { email: 'admin@s141.fr', role: 'admin', structureSirets: [S1] });
    tokens.tresorier = await createUserAndToken(t, { email: 'tresorier@s141.fr', role: 'tresorier', structureSirets: [S1] });
    tokens.other = await createUserAndToken(t, { email: 'agent@s142.fr', role: 'agent', structureSirets: [S2] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sets 30 days, or 50 for an établissement public de santé, on the structure (R2192-10)', async () => {
    const hospital = await as('admin').post('/api/structures', { siret: S1, name: 'Centre hospitalier', publicHealthBody: true });
    expect(hospital.status).toBe(201);
    expect(hospital.body).toMatchObject({ publicHealthBody: true, paymentDelayDays: 50 });
    const odd = await as('admin').post('/api/structures', { siret: S1, name: 'Centre hospitalier', paymentDelayDays: 45 });
    expect(odd.status).toBe(422);
    expect(odd.body).toMatchObject({ code: 'PAYMENT_DELAY_INVALID' });
    expect(odd.body.message).toMatch(/^Délai global de paiement invalide : 45 jours \(30 jours, ou 50 pour un établissement public de santé/);
    const mismatch = await as('admin').post('/api/structures', { siret: S1, name: 'Commune', paymentDelayDays: 50, publicHealthBody: false });
    expect(mismatch.body).toMatchObject({ code: 'PAYMENT_DELAY_MISMATCH' });
    const back = await as('admin').post('/api/structures', { siret: S1, name: 'Commune', paymentDelayDays: 30 });
    expect(back.body).toMatchObject({ publicHealthBody: false, paymentDelayDays: 30 });
    expect((await as('agent').get(`/api/structures/${S1}`)).body).toMatchObject({ publicHealthBody: false, paymentDelayDays: 30 });
  });

  it('suspends once only, restarts 30 days on completion, and owes the hand-computed intérêts moratoires when paid late', async () => {
    at('2025-03-10T09:00:00Z');
    // Received in Chorus Pro on 1 March 2025, due 31 March (30 days).
    const inv = await createInvoice(t, { structureSiret: S1, receptionDate: '2025-03-01', dueDate: '2025-03-31', netAmount: '3277.420000' });
    const suspended = await as('agent').post(`/api/invoices/${inv.id}/suspend`, { reasonCode: 'PJ_MANQUANTE', complement: 'bon de livraison' });
    expect(suspended.body).toMatchObject({ status: 'SUSPENDUE', dueDate: '2025-03-31', daysLeft: 21 });

    // The missing items arrive on 14 March: 21 days were left, the new delay is 30 days (R2192-29) → 13 April.
    at('2025-03-14T09:00:00Z');
    const resumed = await as('agent').post(`/api/invoices/${inv.id}/end-suspension`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ status: 'A_TRAITER', dueDate: '2025-04-13', daysLeft: 30 });
    // Same rule for the read API.
    expect((await as('agent').get(`/api/invoices/${inv.id}`)).body).toMatchObject({ dueDate: '2025-04-13', daysLeft: 30 });

    // A second suspension is refused, in French, and changes nothing (R2192-27).
    const again = await as('agent').post(`/api/invoices/${inv.id}/suspend`, { reasonCode: 'PJ_MANQUANTE' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'SUSPENSION_ALREADY_USED' });
    expect(again.body.message).toBe(
      "Le délai de paiement ne peut être suspendu qu'une seule fois (article R2192-27 du code de la commande publique) : cette facture a déjà été suspendue le 10/03/2025",
    );
    expect((await as('agent').get(`/api/invoices/${inv.id}`)).body).toMatchObject({ status: 'A_TRAITER', dueDate: '2025-04-13' });
    // The bulk action says the same for this invoice.
    const bulk = await as('agent').post('/api/invoices/actions', { action: 'suspend', ids: [inv.id], reasonCode: 'PJ_MANQUANTE' });
    expect(bulk.body.results).toEqual([expect.objectContaining({ id: inv.id, ok: false, code: 'SUSPENSION_ALREADY_USED' })]);

    // Mandated, then paid by the trésorier on 28 May 2025.
    expect((await as('agent').post(`/api/invoices/${inv.id}/mandate`, MANDATE)).status).toBe(200);
    at('2025-05-28T10:00:00Z');
    expect((await as('tresorier').post(`/api/invoices/${inv.id}/payment`)).body).toMatchObject({ status: 'MISE_EN_PAIEMENT' });

    // By hand: due 13 April, paid 28 May → 17 days of April + 28 of May = 45 days late. Interest runs from 14 April
    // 2025: 1st half-year 2025, ECB rate on 1 January 2025 = 3.15 % (+ 8 points = 11.15 %).
    // 3 277,42 × 11,15 % × 45 / 365 = 16 444,45485 / 365 = 45,0533… → 45,05 € ; + 40 € indemnity = 85,05 €.
    const list = await as('agent').get(`/api/late-interest?structure=${S1}`);
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { invoiceId: string }) => i.invoiceId === inv.id);
    expect(item).toMatchObject({ dueDate: '2025-04-13', paidOn: '2025-05-28', paidOnSource: 'action', error: null });
    expect(item.figures).toMatchObject({
      runsFrom: '2025-04-14',
      daysLate: 45,
      halfYearStart: '2025-01-01',
      ecbRate: '3.15',
      rate: '11.15',
      base: '3277.420000',
      interest: '45.05',
      indemnity: '40.00',
      total: '85.05',
      payBefore: '2025-07-12',
    });
    expect(item.figures.rateSource).toMatch(/^BCE, taux des opérations principales de refinancement .*en vigueur depuis le 18 décembre 2024$/);
    // The invoice's page reads the same figures.
    const page = await as('agent').get(`/api/late-interest/invoices/${inv.id}`);
    expect(page.body).toMatchObject({ paid: true, late: true, paidOn: '2025-05-28', item: { figures: { total: '85.05' } } });

    // Another structure's user sees neither the list nor the invoice's figures.
    expect((await as('other').get(`/api/late-interest?structure=${S1}`)).body).toMatchObject({ code: 'STRUCTURE_FORBIDDEN' });
    expect((await as('other').get(`/api/late-interest/invoices/${inv.id}`)).status).toBe(403);
    expect((await as('other').get('/api/late-interest')).body).toMatchObject({ items: [], total: '0.00' });

    // The operator's CLI shows the computation in French.
    const cli = await runCliInProcess(t.app, ['interets-moratoires', 'lister', '--structure', S1]);
    expect(cli.lines.join('\n')).toContain(
      `45 j de retard (du 14/04/2025 au 28/05/2025) × 11,15${B}% (BCE 3,15${B}% + 8 points) / 365 sur 3${N}277,42${B}€ = 45,05${B}€ + indemnité forfaitaire 40,00${B}€ = 85,05${B}€`,
    );
  });

  it('takes the date and amount Hélios reported, the half-year rate of the start, and never guesses a missing rate', async () => {
    const port = t.app.get(InvoiceWorkflowPort);
    const uow = t.app.get(UnitOfWork);
    const payByHelios = async (id: string, paidOn: string, amount: string) => {
      expect((await as('agent').post(`/api/invoices/${id}/mandate`, MANDATE)).status).toBe(200);
      await uow.run((em) => port.onChorusProStatus(em, id, 'MISE_EN_PAIEMENT', { actor: 'Hélios', details: { source: 'PES_DepenseRetour', paidOn, amount } }));
    };
    at('2026-02-12T09:00:00Z');
    // Due 30 June 2025, 1 000 € paid of 1 200 € on 29 August: 60 days, runs from 1 July → 2nd half-year (2.15 % + 8).
    // 1 000 × 10,15 % × 60 / 365 = 6 090 / 365 = 16,6849… → 16,68 € ; + 40 € = 56,68 €.
    const b = await createInvoice(t, { structureSiret: S1, receptionDate: '2025-05-31', dueDate: '2025-06-30', netAmount: '1200.000000' });
    await payByHelios(b.id, '2025-08-29', '1000.00');
    // Due 31 December 2025, paid 10 February 2026: runs from 1 January 2026, a half-year the table does not have.
    const c = await createInvoice(t, { structureSiret: S1, receptionDate: '2025-12-01', dueDate: '2025-12-31', netAmount: '500.000000' });
    await payByHelios(c.id, '2026-02-10', '500.000000');
    // Paid on its due date: nothing owed, not listed.
    const d = await createInvoice(t, { structureSiret: S1, receptionDate: '2025-06-01', dueDate: '2025-07-01', netAmount: '700.000000' });
    await payByHelios(d.id, '2025-07-01', '700.000000');

    const list = (await as('agent').get(`/api/late-interest?structure=${S1}`)).body;
    const byId = new Map(list.items.map((i: { invoiceId: string }) => [i.invoiceId, i]));
    expect(byId.has(d.id)).toBe(false);
    expect(byId.get(b.id)).toMatchObject({
      paidOn: '2025-08-29',
      paidOnSource: 'reported',
      figures: { daysLate: 60, halfYearStart: '2025-07-01', rate: '10.15', base: '1000.00', interest: '16.68', total: '56.68' },
    });
    expect(byId.get(c.id)).toMatchObject({ figures: null, error: { code: 'LATE_INTEREST_RATE_MISSING' } });
    expect((byId.get(c.id) as { error: { message: string } }).error.message).toMatch(/^Taux de la BCE inconnu pour le 1er semestre 2026 /);
    // The total adds what is computed (85,05 + 56,68), the invoice without a rate is counted apart.
    expect(list).toMatchObject({ total: '141.73', inError: 1 });
    expect((await as('agent').get(`/api/late-interest/invoices/${c.id}`)).body.item.error.code).toBe('LATE_INTEREST_RATE_MISSING');

    // The rate table is configuration: an admin enters the half-year once it has started; nobody else, never ahead.
    const refused = await as('agent').put('/api/late-interest/rates/2026-S1', { ecbRate: '2,15', source: 'BCE' });
    expect(refused.status).toBe(403);
    const ahead = await as('admin').put('/api/late-interest/rates/2026-S2', { ecbRate: '2,15', source: 'BCE' });
    expect(ahead.body).toMatchObject({ code: 'LATE_INTEREST_RATE_FUTURE' });
    // (A rate for this throwaway database only: Passerelle ships no rate it is not sure of.)
    const set = await as('admin').put('/api/late-interest/rates/2026-S1', { ecbRate: '2,15', source: 'Saisie de test' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ halfYearStart: '2026-01-01', ecbRate: '2.15', lateInterestRate: '10.15', updatedBy: 'admin@s141.fr' });
    // 500 × 10,15 % × 41 / 365 = 2 080,75 / 365 = 5,7006… → 5,70 € ; + 40 € = 45,70 €.
    const after = (await as('agent').get(`/api/late-interest/invoices/${c.id}`)).body;
    expect(after.item.figures).toMatchObject({ daysLate: 41, rate: '10.15', interest: '5.70', total: '45.70' });
    const rates = (await as('agent').get('/api/late-interest/rates')).body as Array<{ halfYearStart: string; ecbRate: string }>;
    expect(rates.find((r) => r.halfYearStart === '2025-07-01')).toMatchObject({ ecbRate: '2.15' });
    expect(rates.find((r) => r.halfYearStart === '2023-07-01')).toMatchObject({ ecbRate: '4.00' });
  });
});
