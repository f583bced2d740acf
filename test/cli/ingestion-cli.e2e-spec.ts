import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { passerelle } from '@test/support/cli';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

describe('passerelle CLI: structures, import, invoices list (real process, real files)', () => {
  let dataDir: string;
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passerelle-cli-'));
    db = await createTestDatabase();
    // PGlite in memory cannot be shared between processes: the CLI uses DATA_DIR's embedded database then.
    env = { DATA_DIR: dataDir, ...(db.target.kind === 'postgres' ? { DATABASE_URL: db.target.location } : {}) };
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('declares structures and lists them as JSON', async () => {
    const add = await passerelle(
      ['structures', 'add', '--siret', '21490412000018', '--name', 'Commune de Saint-Aubin-sur-Loire', '--service', 'FINANCES=Service des finances', '--service', 'ST=Services techniques', '--service', 'SCOLAIRE=Affaires scolaires', '--inactive-service', 'CTM-ANCIEN=Ancien CTM', '--json'],
      env,
    );
    expect(add.code).toBe(0);
    const bad = await passerelle(['structures', 'add', '--siret', '21490412000019', '--name', 'X'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/SIRET invalide/);
    const list = await passerelle(['structures', 'list', '--json'], env);
    expect(list.json()).toEqual([
      expect.objectContaining({
        siret: '21490412000018',
        serviceRequired: false,
        services: expect.arrayContaining([{ code: 'CTM-ANCIEN', label: 'Ancien CTM', active: false }]),
      }),
    ]);
  });

  it('imports a directory, a ZIP and a bad file; the last stdout line is the JSON report', async () => {
    const r = await passerelle(
      ['import', join(FIXTURES, 'pivot'), join(FIXTURES, 'pivot-bad', 'two-flows.zip'), join(FIXTURES, 'pivot-bad', 'xxe-doctype.xml'), '--json'],
      env,
    );
    expect(r.code).toBe(0);
    const report = r.json<{ flows: Record<string, number>; invoices: Record<string, number>; errors: Array<{ file: string; code: string; invoice: string | null; message: string }> }>();
    expect(report.flows).toEqual({ integrated: 5, partial: 0, rejected: 1, alreadyImported: 0, alreadyRejected: 0 });
    expect(report.invoices.created).toBe(21);
    expect(report.invoices.withAnomalies).toBeGreaterThan(0); // other structures are not declared here
    expect(report.errors).toEqual([
      { file: 'xxe-doctype.xml', invoice: null, code: 'DTD_FORBIDDEN', message: expect.stringMatching(/DOCTYPE|DTD/) },
    ]);
    const again = await passerelle(['import', join(FIXTURES, 'pivot'), '--json'], env);
    expect(again.json()).toMatchObject({ flows: { alreadyImported: 3, integrated: 0 }, invoices: { created: 0 } });
  });

  it('lists invoices as the issue specifies (netAmount a decimal string)', async () => {
    const r = await passerelle(['invoices', 'list', '--status', 'A_TRAITER', '--json'], env);
    const items = r.json<Array<Record<string, unknown>>>();
    expect(items).toHaveLength(21);
    for (const i of items) {
      expect(Object.keys(i)).toEqual(
        expect.arrayContaining(['id', 'number', 'supplierId', 'supplierName', 'recipientSiret', 'serviceCode', 'type', 'status', 'netAmount', 'anomalies']),
      );
      expect(i.netAmount).toMatch(/^\d+\.\d{6}$/);
    }
    expect(items.filter((i) => (i.anomalies as string[]).includes('UNKNOWN_RECIPIENT')).length).toBeGreaterThan(0);
  });

  it('speaks French for commander’s own words too (help, unknown option), in the real process', async () => {
    const help = await passerelle(['invoices', 'mandate', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Utilisation : passerelle invoices mandate \[options\] <refs\.\.\.>/);
    expect(help.stdout).toMatch(/-h, --help\s+afficher l’aide/);
    expect(help.stdout).not.toMatch(/--reason|--complement/);
    const bad = await passerelle(['invoices', 'list', '--statut', 'A_TRAITER'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^Erreur : option inconnue « --statut » \(vouliez-vous dire --status \?\)/);
  });
});
