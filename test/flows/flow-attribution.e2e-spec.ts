import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { findStructure } from '@/fixtures-generator/good-flows.fixtures';
import { buildFlowSpec, renderPivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { IngestionService } from '@/ingestion/ingestion.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const COMMUNE = findStructure('Commune de Saint-Aubin-sur-Loire').siret;
const CC = findStructure('Communauté de communes').siret;
const HOSPITAL = findStructure('Centre hospitalier').siret;

/**
 * Flows are attributed to structures when imported (flow_structures): the recipients of their invoices; for a
 * rejected or partly unreadable file, the structure it was pulled for and the recipients its raw bytes name. Each
 * user — administrators included — sees the flows of their structures; a flow of no structure, administrators only.
 */
describe('Flow attribution and visibility (« Suivi démat »)', () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'flow-attribution-'));
  const as: Record<string, ReturnType<typeof apiAs>> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await declareFixtureStructures(t.app);
    // A hospital flow cut in the middle: rejected (truncated XML), its recipient is only in its bytes.
    const hospitalFlow = renderPivotFlow(buildFlowSpec(new SeededRng(11), { index: 90, invoiceCount: 3, structure: findStructure('Centre hospitalier') }));
    writeFileSync(join(dir, 'hopital-tronque.xml'), hospitalFlow.subarray(0, Math.floor(hospitalFlow.length * 0.6)));
    // A file naming no recipient at all, as a pull of the communauté's account would bring it.
    writeFileSync(join(dir, 'sans-destinataire.xml'), '<?xml version="1.0"?><Autre><Rien/></Autre>');
    const ingestion = t.app.get(IngestionService);
    await ingestion.importPaths(
      [
        join(FIXTURES, 'pivot'),
        ...['truncated-xml.xml', 'malformed-xml.xml', 'wrong-root.xml', 'unknown-recipient.xml', 'unreadable-invoice-amount.xml'].map((f) => join(FIXTURES, 'pivot-bad', f)),
        join(dir, 'hopital-tronque.xml'),
      ],
      { source: 'inbox' },
    );
    await ingestion.importPaths([join(dir, 'sans-destinataire.xml')], { source: 'api', attributeTo: [CC] });
    const users = {
      communeAgent: { role: 'agent' as const, structureSirets: [COMMUNE] },
      communeAdmin: { role: 'admin' as const, structureSirets: [COMMUNE] },
      hospitalAgent: { role: 'agent' as const, structureSirets: [HOSPITAL] },
      ccAgent: { role: 'agent' as const, structureSirets: [CC] },
    };
    for (const [name, u] of Object.entries(users)) as[name] = apiAs(t, await createUserAndToken(t, { email: `${name.toLowerCase()}@test.fr`, ...u }));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = async (who: string, query = '') => {
    const res = await as[who].get(`/api/flows${query}`);
    expect(res.status).toBe(200);
    return (res.body as Array<{ fileName: string }>).map((f) => f.fileName).sort();
  };

  it('shows a user the flows carrying invoices of their structures and the rejected files addressed to them', async () => {
    expect(await names('communeAgent')).toEqual(
      ['flux-001.xml', 'flux-003.xml', 'malformed-xml.xml', 'truncated-xml.xml', 'unreadable-invoice-amount.xml'].sort(),
    );
    expect(await names('hospitalAgent')).toEqual(['flux-003.xml', 'hopital-tronque.xml']);
    // Pulled for the communauté: attributed to it although nothing in the file says so.
    expect(await names('ccAgent')).toEqual(['flux-002.xml', 'sans-destinataire.xml']);
  });

  it('scopes administrators to their structures too, plus the flows of no structure', async () => {
    const admin = await names('communeAdmin');
    expect(admin).toEqual(
      ['flux-001.xml', 'flux-003.xml', 'malformed-xml.xml', 'truncated-xml.xml', 'unknown-recipient.xml', 'unreadable-invoice-amount.xml', 'wrong-root.xml'].sort(),
    );
    for (const other of ['flux-002.xml', 'hopital-tronque.xml', 'sans-destinataire.xml']) expect(admin).not.toContain(other);
    const all = (await as.ccAgent.get('/api/flows')).body as Array<{ id: string; fileName: string }>;
    const ccFlow = all.find((f) => f.fileName === 'flux-002.xml')!;
    expect((await as.communeAdmin.get(`/api/flows/${ccFlow.id}`)).status).toBe(404);
    expect((await as.ccAgent.get(`/api/flows/${ccFlow.id}`)).status).toBe(200);
  });

  it('names only the caller’s structures on a flow shared between structures, and filters by structure and status', async () => {
    const flows = (await as.communeAgent.get('/api/flows')).body as Array<{ fileName: string; structures: Array<{ siret: string }> }>;
    expect(flows.find((f) => f.fileName === 'flux-003.xml')!.structures.map((s) => s.siret)).toEqual([COMMUNE]);
    expect(await names('communeAgent', '?status=rejected')).toEqual(['malformed-xml.xml', 'truncated-xml.xml']);
    expect(await names('hospitalAgent', `?structure=${HOSPITAL}`)).toEqual(['flux-003.xml', 'hopital-tronque.xml']);
    expect(await names('hospitalAgent', `?structure=${COMMUNE}`)).toEqual([]);
  });

  it('puts a rejected file in the anomaly report of its structure only', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const files = async (who: string) => {
      const report = await as[who].get(`/api/reports/anomalies?date=${today}`);
      expect(report.status).toBe(200);
      return (report.body.structures as Array<{ siret: string | null; lines: Array<{ fileName: string }> }>).flatMap((s) => s.lines.map((l) => `${s.siret}:${l.fileName}`));
    };
    const hospital = await files('hospitalAgent');
    expect(hospital).toContain(`${HOSPITAL}:hopital-tronque.xml`);
    expect(hospital.some((l) => l.endsWith('truncated-xml.xml'))).toBe(false);
    const commune = await files('communeAgent');
    expect(commune).toContain(`${COMMUNE}:truncated-xml.xml`);
    expect(commune.some((l) => l.endsWith('hopital-tronque.xml') || l.endsWith('wrong-root.xml'))).toBe(false);
    expect(await files('communeAdmin')).toContain('null:wrong-root.xml');
  });
});
