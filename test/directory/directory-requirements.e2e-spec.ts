import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { DirectoryService } from '@/directory/directory.service';
import { createTestApp, TestApp } from '@test/support/test-app';

// The Chorus Pro directory's three invoice requirements, read from a CSV export and checked for an ASAP CPP debtor
// as Chorus Pro would: « N° d'engagement ou code service » asks for one of the two.
describe('Chorus Pro directory: « N° d’engagement ou code service »', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'annuaire-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the column of the export and asks for one of the two, nothing more when a stricter rule already says it', async () => {
    const csv = join(dir, 'annuaire.csv');
    writeFileSync(
      csv,
      [
        'Identifiant;Raison sociale;Statut;Code service obligatoire;Engagement obligatoire;Gestion numéro EJ ou code service;Code service;Libellé service',
        '21490412000018;COMMUNE D’EITHERVILLE;ACTIF;non;non;oui;FIN;Finances',
        '21340172201787;COMMUNE DE STRICTVILLE;ACTIF;oui;non;oui;FIN;Finances',
      ].join('\n'),
    );
    const report = await t.app.get(DirectoryImportService).importFile(csv);
    expect(report).toMatchObject({ structures: 2, rejected: 0 });
    const directory = t.app.get(DirectoryService);
    expect(await directory.get('21490412000018')).toMatchObject({ serviceRequired: false, engagementRequired: false, engagementOrServiceRequired: true });

    const codes = async (siret: string, service?: string, engagement?: string) => (await directory.checkCppDebtor(siret, service, engagement)).map((c) => c.code);
    expect(await codes('21490412000018')).toEqual(['CPP_ENGAGEMENT_OR_SERVICE_REQUIRED']);
    expect(await codes('21490412000018', 'FIN')).toEqual([]);
    expect(await codes('21490412000018', undefined, 'EJ-42')).toEqual([]);
    expect((await directory.checkCppDebtor('21490412000018'))[0].message).toBe(
      "Numéro d'engagement ou code service obligatoire pour COMMUNE D’EITHERVILLE (SIRET 21490412000018) : aucun des deux n'est donné",
    );
    expect(await codes('21340172201787')).toEqual(['CPP_SERVICE_REQUIRED']);
  });
});
