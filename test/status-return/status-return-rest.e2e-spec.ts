import { readFileSync } from 'node:fs';
import { UnitOfWork } from '@/database/unit-of-work';
import { validateWithXsd } from '@/status-return/cpp-statut.schema';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { createInvoice } from '@test/support/invoice.factory';
import { outboxRows } from '@test/support/outbox.factory';
import { describeWithReference, sharedPath } from '@test/support/shared';
import { createTestApp, TestApp } from '@test/support/test-app';

let XSD = '';

describeWithReference('status return over REST, from the workflow to the CPPStatut file', () => {
  let t: TestApp;
  const siret = testSiret(601);
  const otherSiret = testSiret(602);
  let agent: ReturnType<typeof apiAs>;
  let other: ReturnType<typeof apiAs>;
  let tresorier: ReturnType<typeof apiAs>;

  beforeAll(async () => {
    XSD = readFileSync(sharedPath('reference', 'chorus-pro', 'pastell', 'xsd-pivot', 'CPPStatutPivot_V1_19.xsd'), 'utf8');
    t = await createTestApp();
    agent = apiAs(t, await createUserAndToken(t, { email: 'agent@ville.fr', role: 'agent', structureSirets: [siret] }));
    other = apiAs(t, await createUserAndToken(t, { email: 'agent@autre.fr', role: 'agent', structureSirets: [otherSiret] }));
    tresorier = apiAs(t, await createUserAndToken(t, { email: 'tresorier@dgfip.fr', role: 'tresorier', structureSirets: [siret] }));
  });
  afterAll(async () => t?.close());

  it('a rejection goes into the outbox with its history step, then into a file; once written it can no longer be cancelled', async () => {
    const inv = await createInvoice(t, { structureSiret: siret });
    const rejected = await agent.call('POST', `/api/invoices/${inv.id}/reject`, { reasonCode: 'MONTANT_ERRONE', complement: 'TVA à 20 %' });
    expect(rejected.status).toBeLessThan(300);
    const [row] = (await outboxRows(t)).filter((r) => r.invoiceId === inv.id);
    expect(row).toMatchObject({ targetStatus: 'REJETEE', state: 'pending' });

    expect((await tresorier.call('POST', '/api/status-flows', {})).status).toBe(403);
    // Another structure's agent generates nothing of ours.
    expect((await other.call('POST', '/api/status-flows', {})).body).toMatchObject({ statuses: 0, files: [] });

    const generated = await agent.call('POST', '/api/status-flows', { status: 'REJETEE' });
    expect(generated.status).toBe(201);
    expect(generated.body).toMatchObject({ statuses: 1 });
    expect(generated.body.files[0]).toMatch(new RegExp(`^CPPStatut_${siret}_\\d{10}\\.xml$`));
    const flowId = generated.body.flows[0].id;

    const list = await agent.call('GET', '/api/status-flows');
    expect(list.body.map((f: { id: string }) => f.id)).toContain(flowId);
    expect((await other.call('GET', '/api/status-flows')).body).toEqual([]);
    const detail = await agent.call('GET', `/api/status-flows/${flowId}`);
    expect(detail.body.statuses).toEqual([expect.objectContaining({ invoiceId: inv.id, targetStatus: 'REJETEE', reason: expect.stringContaining('TVA à 20 %') })]);
    expect((await other.call('GET', `/api/status-flows/${flowId}`)).status).toBe(404);

    expect((await fetch(`${t.url}/api/status-flows/${flowId}/download`)).status).toBe(401);
    const download = await agent.call('GET', `/api/status-flows/${flowId}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/application\/xml/);
    const xml = typeof download.body === 'string' ? download.body : String(download.body);
    expect(xml).toContain('<IdStatut>05</IdStatut>');
    expect(await validateWithXsd(xml, XSD)).toEqual([]);

    const cancel = await agent.call('POST', `/api/invoices/${inv.id}/cancel-rejection`, {});
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('REJECTION_ALREADY_SENT');

    const history = await agent.call('GET', `/api/invoices/${inv.id}`);
    expect(JSON.stringify(history.body)).toContain('fichier de transfert');
  });

  it('lists the outbox and lets the staff retry or abandon a row in error', async () => {
    const inv = await createInvoice(t, { structureSiret: siret });
    await agent.call('POST', `/api/invoices/${inv.id}/service-done`, {});
    const [row] = (await outboxRows(t)).filter((r) => r.invoiceId === inv.id);
    await t.app.get(UnitOfWork).run((em) =>
      em.query(`UPDATE status_outbox SET state = 'failed', error_code = 'CPP_20002', last_error = 'refusé' WHERE id = $1`, [row.id]),
    );
    const failed = await agent.call('GET', '/api/status-outbox?state=failed');
    expect(failed.body.map((r: { id: number }) => r.id)).toContain(row.id);
    expect((await other.call('POST', `/api/status-outbox/${row.id}/retry`)).status).toBe(403);
    expect((await agent.call('POST', `/api/status-outbox/${row.id}/retry`)).status).toBe(204);
    expect((await outboxRows(t)).find((r) => r.id === row.id)?.state).toBe('pending');
    expect((await agent.call('POST', `/api/status-outbox/${row.id}/abandon`)).status).toBe(409);
    const push = await agent.call('POST', '/api/status-outbox/push');
    expect(push.body).toEqual({ sent: 0, alreadyThere: 0, failed: 0, pending: 0 });
  });
});
