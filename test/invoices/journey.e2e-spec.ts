import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DEMO_STRUCTURES } from '@/fixtures-generator/demo-structures';
import { buildFlowSpec, writePivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { IngestionService } from '@/ingestion/ingestion.service';
import { StructuresService } from '@/structures/structures.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';

describe('end-to-end: from a pivot file to « mise en paiement »', () => {
  let t: TestApp;
  let dir: string;
  const structure = DEMO_STRUCTURES[0];

  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'passerelle-journey-'));
    await t.app.get(StructuresService).upsert({ ...structure, services: structure.services.map((s) => ({ ...s })) });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports, mandates, sends MANDATEE with numeroDPMandat, then the trésorier pays', async () => {
    const flow = buildFlowSpec(new SeededRng(42), { index: 7, invoiceCount: 2, structure, creditNoteRatio: 0, supplementaryAttachments: 1, service: null });
    const file = join(dir, 'flux-journey.xml');
    await writePivotFlow(file, flow);
    const report = await t.app.get(IngestionService).importPaths([file], { source: 'cli' });
    expect(report.flows.integrated).toBe(1);
    expect(report.invoices.created).toBe(2);

    const agent = apiAs(t, await createUserAndToken(t, { email: 'compta@saint-aubin.fr', role: 'agent', structureSirets: [structure.siret] }));
    const tresorier = apiAs(t, await createUserAndToken(t, { email: 'tresorier@dgfip.fr', role: 'tresorier', structureSirets: [structure.siret] }));
    const list = (await agent.get(`/api/invoices?status=A_TRAITER`)).body.items as Array<{ id: string; number: string; netAmount: string }>;
    expect(list).toHaveLength(2);
    const target = list.find((i) => i.number === flow.invoices[0].number)!;
    const spec = flow.invoices[0];

    const mandated = await agent.post(`/api/invoices/${target.id}/mandate`, { imputations: [{ article: '6064', fonction: '020' }] });
    expect(mandated.status).toBe(200);
    const number = mandated.body.mandateNumber as string;
    expect(number).toMatch(/^\d{4}-000001$/);
    const mandate = (await agent.get(`/api/invoices/${target.id}/mandate`)).body;
    const fr = (d: string) => d.split('-').reverse().join('/');
    expect(mandate).toMatchObject({
      supplierName: spec.supplier.name,
      object: `Facture N° ${spec.number} du ${fr(spec.issueDate)} reçue le ${fr(spec.receptionDate)}`,
    });
    expect(mandate.iban).toBeTruthy();
    expect(mandate.attachmentIds).toHaveLength(2); // the invoice PDF and its supplementary PJ
    expect(mandate.amount).toBe(mandate.imputations[0].amount);

    const db = t.app.get(DataSource);
    expect(await db.query(`SELECT target_status AS s, mandate_number AS n FROM status_outbox WHERE invoice_id = $1`, [target.id])).toEqual([
      { s: 'MANDATEE', n: number },
    ]);

    expect((await tresorier.post(`/api/invoices/${target.id}/payment`)).body.status).toBe('MISE_EN_PAIEMENT');
    const history = (await agent.get(`/api/invoices/${target.id}/history`)).body as Array<{ label: string; actor: string }>;
    expect(history.map((h) => h.label)).toEqual(['Lecture flux', 'Mandatement', 'Mise en paiement']);
    expect(history.slice(1).map((h) => h.actor)).toEqual(['compta@saint-aubin.fr', 'tresorier@dgfip.fr']);
  });
});
