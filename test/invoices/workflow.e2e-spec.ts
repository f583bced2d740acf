import { DataSource } from 'typeorm';
import { Clock, FixedClock } from '@/clock/clock.port';
import { INVOICE_STATUSES, outboxStatus, TRANSITIONS, UserAction } from '@/invoices/invoice-state.machine';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

const S1 = testSiret(1);
const S2 = testSiret(2);

const BODIES: Record<UserAction, object> = {
  record: {},
  'service-done': {},
  mandate: { imputations: [{ article: '6064', fonction: '020', service: 'COMPTA' }] },
  reject: { reasonCode: 'PJ_MANQUANTE' },
  suspend: { reasonCode: 'PJ_MANQUANTE' },
  recycle: {},
  'cancel-rejection': {},
  'end-suspension': {},
  payment: {},
};

describe('invoice workflow (issue 4)', () => {
  let t: TestApp;
  let db: DataSource;
  const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
  const tokens: Record<string, string> = {};
  const as = (who: string) => apiAs(t, tokens[who]);
  const outbox = (id: string) =>
    db.query(`SELECT target_status AS "targetStatus", reason, mandate_number AS "mandateNumber", state, history_id AS "historyId", structure_id AS "structureId" FROM status_outbox WHERE invoice_id = $1 ORDER BY id`, [id]);
  const invoiceRow = async (id: string) =>
    (await db.query(`SELECT status, cpp_status AS "cppStatus", due_date AS "dueDate", suspended_since AS "suspendedSince", row_version AS "rowVersion" FROM invoices WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: Clock, useValue: clock }] });
    db = t.app.get(DataSource);
    tokens.agent = await createUserAndToken(t, { email: 'agent@s1.fr', role: 'agent', structureSirets: [S1] });
    tokens.admin = await createUserAndToken(t, { email: 'admin@s1.fr', role: 'admin', structureSirets: [S1] });
    tokens.tresorier = await createUserAndToken(t, { email: 'tresorier@s1.fr', role: 'tresorier', structureSirets: [S1] });
    tokens.other = await createUserAndToken(t, { email: 'agent@s2.fr', role: 'agent', structureSirets: [S2] });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => clock.set(new Date('2026-03-10T09:00:00Z')));

  describe('every allowed transition, over HTTP', () => {
    const cases = TRANSITIONS.filter((r) => !r.roles.includes('chorus-pro') && !r.roles.includes('helios')).flatMap((r) => r.from.map((from) => [r.action as UserAction, from, r] as const));
    it.each(cases)('%s from %s', async (action, from, rule) => {
      const who = rule.roles[0] as string;
      const invoice = await createInvoice(t, { structureSiret: S1, status: from === 'REJETEE' ? 'A_TRAITER' : from });
      if (from === 'REJETEE') expect((await as('agent').post(`/api/invoices/${invoice.id}/reject`, BODIES.reject)).status).toBe(200);
      const res = await as(who).post(`/api/invoices/${invoice.id}/${action}`, BODIES[action]);
      expect(res.body).toMatchObject({ id: invoice.id, status: rule.to, previousStatus: from });
      expect(res.status).toBe(200);
      expect((await invoiceRow(invoice.id)).status).toBe(rule.to);
      const history = (await as(who).get(`/api/invoices/${invoice.id}/history`)).body as Array<{ label: string; actor: string }>;
      expect(history.at(-1)).toMatchObject({ label: rule.label, actor: `${who}@s1.fr`, fromStatus: from, toStatus: rule.to });
      const rows = await outbox(invoice.id);
      const produced = rows.filter((r: { state: string }) => r.state === 'pending').map((r: { targetStatus: string }) => r.targetStatus);
      // S1 keeps the default « comptable sous Hélios »: what Hélios tells Chorus Pro is not pushed (outboxStatus).
      const pushed = outboxStatus(rule, { heliosComptable: true });
      expect(produced).toEqual(pushed ? [pushed] : []);
    });
  });

  describe('a refusal for every forbidden transition', () => {
    const cases = TRANSITIONS.filter((r) => !r.roles.includes('chorus-pro') && !r.roles.includes('helios')).flatMap((r) =>
      INVOICE_STATUSES.filter((s) => !r.from.includes(s)).map((s) => [r.action as UserAction, s, r.roles[0] as string] as const),
    );
    it.each(cases)('%s from %s is refused', async (action, from, who) => {
      const invoice = await createInvoice(t, { structureSiret: S1, status: from });
      const before = await invoiceRow(invoice.id);
      const res = await as(who).post(`/api/invoices/${invoice.id}/${action}`, BODIES[action]);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('TRANSITION_NOT_ALLOWED');
      expect(res.body.message).toMatch(/^Impossible de /);
      expect(await invoiceRow(invoice.id)).toEqual(before);
      expect(await outbox(invoice.id)).toEqual([]);
    });
  });

  describe('roles and structures', () => {
    it('keeps mandating to the staff and payment to the trésorier', async () => {
      const inv = await createInvoice(t, { structureSiret: S1 });
      const byTresorier = await as('tresorier').post(`/api/invoices/${inv.id}/mandate`, BODIES.mandate);
      expect([byTresorier.status, byTresorier.body.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
      expect((await as('agent').post(`/api/invoices/${inv.id}/mandate`, BODIES.mandate)).status).toBe(200);
      for (const who of ['agent', 'admin']) {
        const res = await as(who).post(`/api/invoices/${inv.id}/payment`);
        expect([res.status, res.body.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
      }
      expect((await as('tresorier').post(`/api/invoices/${inv.id}/payment`)).body.status).toBe('MISE_EN_PAIEMENT');
    });

    it("refuses (403) the invoices of another structure, reading and acting", async () => {
      const inv = await createInvoice(t, { structureSiret: S1 });
      const act = await as('other').post(`/api/invoices/${inv.id}/record`);
      expect([act.status, act.body.code]).toEqual([403, 'INVOICE_FORBIDDEN']);
      expect((await as('other').get(`/api/invoices/${inv.id}/history`)).status).toBe(403);
      expect((await as('other').get(`/api/invoices/${inv.id}`)).status).toBe(403);
      const list = await as('other').get(`/api/invoices?limit=500`);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(inv.id);
      expect((await invoiceRow(inv.id)).status).toBe('A_TRAITER');
    });

    it('requires authentication (401) and answers 404 for an unknown invoice', async () => {
      expect((await apiAs(t, null).post(`/api/invoices/00000000-0000-4000-8000-000000000000/record`)).status).toBe(401);
      expect((await apiAs(t, 'psr_wrong').get(`/api/invoices`)).status).toBe(401);
      const res = await as('agent').post(`/api/invoices/00000000-0000-4000-8000-000000000000/record`);
      expect([res.status, res.body.code]).toEqual([404, 'INVOICE_NOT_FOUND']);
      expect((await as('agent').post(`/api/invoices/not-a-uuid/record`)).status).toBe(404);
    });

    it('shows invoices with an unknown recipient to admins only, who may only recycle or reject them', async () => {
      const inv = await createInvoice(t, { structureSiret: null });
      expect((await as('agent').post(`/api/invoices/${inv.id}/recycle`)).status).toBe(403);
      const mandate = await as('admin').post(`/api/invoices/${inv.id}/mandate`, BODIES.mandate);
      expect([mandate.status, mandate.body.code]).toEqual([409, 'UNKNOWN_RECIPIENT_RESTRICTED']);
      const recycle = await as('admin').post(`/api/invoices/${inv.id}/recycle`, { complement: 'Destinataire : SIRET 21930053000017' });
      expect(recycle.body.status).toBe('A_RECYCLER');
      expect(await outbox(inv.id)).toEqual([expect.objectContaining({ targetStatus: 'A_RECYCLER', reason: 'Destinataire : SIRET 21930053000017', structureId: null })]);
    });
  });

  describe('motifs', () => {
    it('lists the seeded motifs and lets only admins maintain them', async () => {
      const list = (await as('agent').get('/api/reasons')).body as Array<{ code: string; label: string }>;
      expect(list).toEqual(expect.arrayContaining([
        expect.objectContaining({ code: 'MONTANT_ERRONE', label: 'Montant de la facture erroné' }),
        expect.objectContaining({ code: 'NON_DESTINATAIRE', label: 'Cette facture ne nous est pas destinée' }),
        expect.objectContaining({ code: 'PJ_MANQUANTE', label: 'Pièce justificative manquante' }),
        expect.objectContaining({ code: 'ENGAGEMENT_ABSENT', label: "Absence de numéro d'engagement" }),
        expect.objectContaining({ code: 'DOUBLON', label: 'Doublon' }),
      ]));
      expect((await as('agent').post('/api/reasons', { code: 'X_AGENT', label: 'Non' })).status).toBe(403);
      const added = await as('admin').post('/api/reasons', { code: 'tva_erronee', label: 'Taux de TVA erroné', actions: ['reject'] });
      expect(added.body).toEqual({ code: 'TVA_ERRONEE', label: 'Taux de TVA erroné', actions: ['reject'], active: true });
      await as('admin').put('/api/reasons/TVA_ERRONEE', { label: 'Taux de TVA erroné', active: false });
      expect(((await as('agent').get('/api/reasons')).body as Array<{ code: string }>).map((r) => r.code)).not.toContain('TVA_ERRONEE');
    });

    it('requires a known motif to reject or suspend, and sends « libellé : complément » to Chorus Pro', async () => {
      const inv = await createInvoice(t, { structureSiret: S1 });
      const none = await as('agent').post(`/api/invoices/${inv.id}/reject`, {});
      expect(none.status).toBe(400); // reasonCode is a required field of the body
      const blank = await as('agent').post(`/api/invoices/${inv.id}/reject`, { reasonCode: ' ' });
      expect([blank.status, blank.body.code]).toEqual([422, 'REASON_REQUIRED']);
      const unknown = await as('agent').post(`/api/invoices/${inv.id}/reject`, { reasonCode: 'NOPE' });
      expect([unknown.status, unknown.body.code]).toEqual([422, 'REASON_UNKNOWN']);
      const wrongUse = await as('agent').post(`/api/invoices/${inv.id}/suspend`, { reasonCode: 'NON_DESTINATAIRE' });
      expect([wrongUse.status, wrongUse.body.code]).toEqual([422, 'REASON_NOT_APPLICABLE']);
      const tooLong = await as('agent').post(`/api/invoices/${inv.id}/reject`, { reasonCode: 'MONTANT_ERRONE', complement: 'mot '.repeat(70) });
      expect([tooLong.status, tooLong.body.code]).toEqual([422, 'REASON_TOO_LONG']);
      expect(tooLong.body.details.complementMax).toBe(255 - 'Montant de la facture erroné'.length - 3);
      expect(await outbox(inv.id)).toEqual([]);
      const ok = await as('agent').post(`/api/invoices/${inv.id}/reject`, { reasonCode: 'montant_errone', complement: 'ne correspond pas au devis initial' });
      expect(ok.status).toBe(200);
      expect(await outbox(inv.id)).toEqual([
        expect.objectContaining({ targetStatus: 'REJETEE', reason: 'Montant de la facture erroné : ne correspond pas au devis initial', state: 'pending' }),
      ]);
      const history = (await as('agent').get(`/api/invoices/${inv.id}/history`)).body;
      expect(history.at(-1)).toMatchObject({ label: 'Rejet', details: { reasonCode: 'MONTANT_ERRONE' } });
    });

    it('cancels a rejection only while it has not left for Chorus Pro', async () => {
      const a = await createInvoice(t, { structureSiret: S1 });
      await as('agent').post(`/api/invoices/${a.id}/reject`, { reasonCode: 'DOUBLON' });
      expect((await as('agent').post(`/api/invoices/${a.id}/cancel-rejection`)).body.status).toBe('A_TRAITER');
      expect((await outbox(a.id)).map((r: { state: string }) => r.state)).toEqual(['cancelled']);

      const b = await createInvoice(t, { structureSiret: S1 });
      await as('agent').post(`/api/invoices/${b.id}/reject`, { reasonCode: 'DOUBLON' });
      await t.app.get(UnitOfWork).run((em) => em.query(`UPDATE status_outbox SET state = 'sent', sent_at = now() WHERE invoice_id = $1`, [b.id]));
      const late = await as('agent').post(`/api/invoices/${b.id}/cancel-rejection`);
      expect([late.status, late.body.code]).toEqual([409, 'REJECTION_ALREADY_SENT']);
      expect((await invoiceRow(b.id)).status).toBe('REJETEE');
    });
  });

  describe('mandates', () => {
    it('builds the mandate as Corail does: number, tiers and IBAN, object, imputations to the cent, PJ', async () => {
      const S3 = testSiret(3);
      await createUserAndToken(t, { email: 'agent@s3.fr', role: 'agent', structureSirets: [S3] }).then((tk) => (tokens.s3 = tk));
      const inv = await createInvoice(t, { structureSiret: S3, number: 'AVA20150923', netAmount: '3277.424999', issueDate: '2026-02-16', receptionDate: '2026-02-22' });
      const mismatch = await as('s3').post(`/api/invoices/${inv.id}/mandate`, {
        imputations: [{ article: '6064', amount: '1806.88' }, { article: '6068', amount: '1470.55' }],
      });
      expect([mismatch.status, mismatch.body.code]).toEqual([422, 'IMPUTATIONS_TOTAL_MISMATCH']);
      expect(mismatch.body.message).toBe('Le total des imputations (3\u202f277,43\u00a0€) doit égaler le net à payer de la facture (3\u202f277,42\u00a0€)');
      expect(mismatch.body.details).toEqual({ total: '3277.43', netAmount: '3277.42' }); // exact decimals for programs
      const bad = await as('s3').post(`/api/invoices/${inv.id}/mandate`, { imputations: [{ article: '6064', amount: '3277.425' }] });
      expect(bad.body.code).toBe('IMPUTATION_INVALID');
      expect((await as('s3').post(`/api/invoices/${inv.id}/mandate`, { imputations: [] })).body.code).toBe('IMPUTATIONS_REQUIRED');
      // Summing to the net does not make a negative line acceptable (issue 11: −10.00 was stored).
      const negative = await as('s3').post(`/api/invoices/${inv.id}/mandate`, { imputations: [{ article: '6064', amount: '3287.42' }, { article: '6068', amount: '-10.00' }] });
      expect([negative.status, negative.body.code, negative.body.message]).toEqual([422, 'IMPUTATION_INVALID', 'imputation 2 : montant négatif (-10,00\u00a0€) refusé : une imputation est positive ou nulle']);

      const res = await as('s3').post(`/api/invoices/${inv.id}/mandate`, {
        imputations: [
          { article: '6064', fonction: '020', operation: '', service: 'COMPTA', amount: '1806.88', engagement: 'EJ1' },
          { article: '6068', fonction: '020', amount: '1470.54' },
        ],
      });
      expect(res.body).toMatchObject({ status: 'MANDATEE', mandateNumber: '2026-000001' });
      const mandate = (await as('s3').get(`/api/invoices/${inv.id}/mandate`)).body;
      expect(mandate).toMatchObject({
        number: '2026-000001',
        year: 2026,
        supplierName: 'SARL Structure 1',
        iban: 'FR7630006000011234567890189',
        object: 'Facture N° AVA20150923 du 16/02/2026 reçue le 22/02/2026',
        train: 'normal',
        amount: '3277.42',
        createdBy: 'agent@s3.fr',
        attachmentIds: [inv.attachmentId],
      });
      expect(mandate.imputations).toEqual([
        { article: '6064', fonction: '020', operation: null, service: 'COMPTA', amount: '1806.88', engagement: 'EJ1' },
        { article: '6068', fonction: '020', operation: null, service: null, amount: '1470.54', engagement: null },
      ]);
      expect(await outbox(inv.id)).toEqual([expect.objectContaining({ targetStatus: 'MANDATEE', mandateNumber: '2026-000001' })]);

      // Refusals consumed no number: the next mandate of the budget is 000002; a waiting train for cadre A2.
      const paid = await createInvoice(t, { structureSiret: S3, cadre: 'A2', netAmount: '1000.005' });
      const second = await as('s3').post(`/api/invoices/${paid.id}/mandate`, { imputations: [{ article: '60612' }] });
      expect(second.body.mandateNumber).toBe('2026-000002');
      expect((await as('s3').get(`/api/invoices/${paid.id}/mandate`)).body).toMatchObject({ train: 'attente', amount: '1000.01' });
    });

    it('never stores two mandates for one invoice (database constraint)', async () => {
      const inv = await createInvoice(t, { structureSiret: S1 });
      await as('agent').post(`/api/invoices/${inv.id}/mandate`, BODIES.mandate);
      await expect(
        t.app.get(UnitOfWork).run((em) =>
          em.query(
            `INSERT INTO mandates (invoice_id, structure_id, year, sequence, number, supplier_id, supplier_name, object, train, amount, created_by)
             SELECT invoice_id, structure_id, year, 999999, '2026-999999', supplier_id, supplier_name, object, train, amount, 'x' FROM mandates WHERE invoice_id = $1`,
            [inv.id],
          ),
        ),
      ).rejects.toThrow(/duplicate key|unique/i);
    });
  });

  describe('payment deadline and Chorus Pro statuses', () => {
    it('freezes the délai global de paiement while suspended and opens a new 30-day delay on completion (R2192-29)', async () => {
      const inv = await createInvoice(t, { structureSiret: S1, receptionDate: '2026-03-02', dueDate: '2026-04-01' });
      const suspended = await as('agent').post(`/api/invoices/${inv.id}/suspend`, { reasonCode: 'PJ_MANQUANTE', complement: 'bon de livraison' });
      expect(suspended.body).toMatchObject({ status: 'SUSPENDUE', dueDate: '2026-04-01', daysLeft: 22 });
      clock.advanceDays(12); // 22 March
      // Paused: the read API gives the same frozen count as the action's answer, 12 days later.
      expect((await as('agent').get(`/api/invoices/${inv.id}`)).body).toMatchObject({ status: 'SUSPENDUE', daysLeft: 22 });
      await t.app.get(UnitOfWork).run((em) =>
        t.app.get(InvoiceWorkflowPort).onChorusProStatus(em, inv.id, 'COMPLETEE', { actor: 'Chorus Pro', details: { source: 'pull' } }),
      );
      // 22 days were left: the new delay is thirty days from the completion (22 March + 30), not the 22 left.
      expect(await invoiceRow(inv.id)).toMatchObject({ status: 'A_TRAITER', cppStatus: 'COMPLETEE', dueDate: '2026-04-21', suspendedSince: null });
      const steps = ((await as('agent').get(`/api/invoices/${inv.id}/history`)).body as Array<{ label: string; details: Record<string, unknown> }>).map((h) => h.label);
      expect(steps).toEqual(['Lecture flux', 'Suspension', 'Statut Chorus Pro reçu', 'Fin de suspension']);
      const at = await as('agent').get(`/api/invoices?dueWithinDays=30&limit=500`);
      expect(at.body.items.map((i: { id: string }) => i.id)).toContain(inv.id);
      const notYet = await as('agent').get(`/api/invoices?dueWithinDays=29&limit=500`);
      expect(notYet.body.items.map((i: { id: string }) => i.id)).not.toContain(inv.id);
    });

    it('lets the staff end a suspension too, with the same deadline rule', async () => {
      const inv = await createInvoice(t, { structureSiret: S1, dueDate: '2026-04-01' });
      await as('agent').post(`/api/invoices/${inv.id}/suspend`, { reasonCode: 'ENGAGEMENT_ABSENT' });
      clock.advanceDays(5);
      const res = await as('agent').post(`/api/invoices/${inv.id}/end-suspension`);
      expect(res.body).toMatchObject({ status: 'A_TRAITER', dueDate: '2026-04-14', daysLeft: 30 });
    });

    it('records every Chorus Pro status and pays a mandated invoice on MISE_EN_PAIEMENT', async () => {
      const port = t.app.get(InvoiceWorkflowPort);
      const uow = t.app.get(UnitOfWork);
      const open = await createInvoice(t, { structureSiret: S1 });
      await uow.run((em) => port.onChorusProStatus(em, open.id, 'MISE_EN_PAIEMENT', { actor: 'Chorus Pro' }));
      expect(await invoiceRow(open.id)).toMatchObject({ status: 'A_TRAITER', cppStatus: 'MISE_EN_PAIEMENT' });
      // The same status read again by an overlapping pull adds nothing.
      await uow.run((em) => port.onChorusProStatus(em, open.id, 'MISE_EN_PAIEMENT', { actor: 'Chorus Pro' }));
      const openSteps = (await as('agent').get(`/api/invoices/${open.id}/history`)).body.map((h: { label: string }) => h.label);
      expect(openSteps).toEqual(['Lecture flux', 'Statut Chorus Pro reçu']);

      const mandated = await createInvoice(t, { structureSiret: S1 });
      await as('agent').post(`/api/invoices/${mandated.id}/mandate`, BODIES.mandate);
      await uow.run((em) => port.onChorusProStatus(em, mandated.id, 'MISE_EN_PAIEMENT', { actor: 'Chorus Pro' }));
      expect((await invoiceRow(mandated.id)).status).toBe('MISE_EN_PAIEMENT');
      expect((await outbox(mandated.id)).map((r: { targetStatus: string }) => r.targetStatus)).toEqual(['MANDATEE']);
    });

    it('records many Chorus Pro statuses at once with the same decisions, and all or nothing on a conflict', async () => {
      const port = t.app.get(InvoiceWorkflowPort);
      const uow = t.app.get(UnitOfWork);
      const fresh = await createInvoice(t, { structureSiret: S1, cppStatus: null });
      const same = await createInvoice(t, { structureSiret: S1, cppStatus: 'MISE_A_DISPOSITION' });
      const mandated = await createInvoice(t, { structureSiret: S1 });
      await as('agent').post(`/api/invoices/${mandated.id}/mandate`, BODIES.mandate);
      const report = (invoiceId: string, cppStatus: string) => ({ invoiceId, cppStatus, context: { actor: 'Chorus Pro', details: { idFacture: 1 } } });
      await uow.run((em) =>
        port.onChorusProStatuses(em, [report(fresh.id, 'MISE_A_DISPOSITION'), report(same.id, 'MISE_A_DISPOSITION'), report(mandated.id, 'MISE_EN_PAIEMENT')]),
      );
      expect(await invoiceRow(fresh.id)).toMatchObject({ status: 'A_TRAITER', cppStatus: 'MISE_A_DISPOSITION' });
      const labels = async (id: string) => (await as('agent').get(`/api/invoices/${id}/history`)).body.map((h: { label: string }) => h.label);
      expect(await labels(fresh.id)).toEqual(['Lecture flux', 'Statut Chorus Pro reçu']);
      // Already known: nothing written.
      expect(await labels(same.id)).toEqual(['Lecture flux']);
      // The state machine still decides: MISE_EN_PAIEMENT pays a mandated invoice, as one at a time would.
      expect((await invoiceRow(mandated.id)).status).toBe('MISE_EN_PAIEMENT');
      const history = (await as('agent').get(`/api/invoices/${fresh.id}/history`)).body as Array<{ details: Record<string, unknown> }>;
      expect(history[1].details).toMatchObject({ cppStatus: 'MISE_A_DISPOSITION', previousCppStatus: null, idFacture: 1 });

      // One invoice gone: nothing of the call is kept.
      const other = await createInvoice(t, { structureSiret: S1, cppStatus: null });
      await expect(
        uow.run((em) => port.onChorusProStatuses(em, [report(other.id, 'MISE_A_DISPOSITION'), report('00000000-0000-4000-8000-000000000000', 'MISE_A_DISPOSITION')])),
      ).rejects.toMatchObject({ code: 'INVOICE_NOT_FOUND' });
      expect((await invoiceRow(other.id)).cppStatus).toBeNull();
    });
  });

  describe('bulk actions', () => {
    it('returns a result per invoice; a refusal undoes none of the others', async () => {
      const a = await createInvoice(t, { structureSiret: S1 });
      const b = await createInvoice(t, { structureSiret: S1, status: 'REJETEE' });
      const c = await createInvoice(t, { structureSiret: S2 });
      const d = await createInvoice(t, { structureSiret: S1 });
      const res = await as('agent').post('/api/invoices/actions', { action: 'record', ids: [a.id, b.id, c.id, d.id] });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([
        expect.objectContaining({ id: a.id, ok: true, status: 'FACTUREE' }),
        expect.objectContaining({ id: b.id, ok: false, code: 'TRANSITION_NOT_ALLOWED' }),
        expect.objectContaining({ id: c.id, ok: false, code: 'INVOICE_FORBIDDEN' }),
        expect.objectContaining({ id: d.id, ok: true, status: 'FACTUREE' }),
      ]);
      expect((await invoiceRow(a.id)).status).toBe('FACTUREE');
      expect((await invoiceRow(d.id)).status).toBe('FACTUREE');

      // Mandater a selection: one imputation without amount takes each invoice's net.
      const e = await createInvoice(t, { structureSiret: S1, netAmount: '120.5' });
      const mandated = await as('agent').post('/api/invoices/actions', { action: 'mandate', ids: [a.id, e.id], imputations: [{ article: '6064' }] });
      const numbers = mandated.body.results.map((r: { mandateNumber: string }) => r.mandateNumber);
      expect(mandated.body.results.every((r: { ok: boolean }) => r.ok)).toBe(true);
      expect(Number(numbers[1].slice(5))).toBe(Number(numbers[0].slice(5)) + 1);

      const rejected = await as('agent').post('/api/invoices/actions', { action: 'reject', ids: [d.id], reasonCode: 'DOUBLON' });
      expect(rejected.body.results).toEqual([expect.objectContaining({ id: d.id, ok: true, status: 'REJETEE' })]);
    });
  });

  it('documents the workflow in OpenAPI', async () => {
    const doc = (await apiAs(t, null).get('/api/docs-json')).body as { paths: Record<string, unknown> };
    for (const p of ['record', 'service-done', 'mandate', 'reject', 'suspend', 'recycle', 'cancel-rejection', 'end-suspension', 'payment']) {
      expect(doc.paths).toHaveProperty([`/api/invoices/{id}/${p}`]);
    }
    expect(doc.paths).toHaveProperty(['/api/invoices/actions']);
    expect(doc.paths).toHaveProperty(['/api/reasons']);
    expect(doc.paths).toHaveProperty(['/api/users']);
  });

});
