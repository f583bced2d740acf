/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk parsed XML trees */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import yauzl from 'yauzl';
import { Clock, FixedClock } from '@/clock/clock.port';
import { money, sum } from '@/common/money/money';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { DirectoryService } from '@/directory/directory.service';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitresImportService } from '@/pes/titres-import.service';
import { TitresService } from '@/pes/titres.service';
import { runCliInProcess } from '@test/support/cli';
import { createTestApp, TestApp } from '@test/support/test-app';
import { innerFactures, parsePes, PES_REFERENCE, validateInnerFacture, validatePes } from '@test/pes/pes-xsd';
import { describeWithReference } from '@test/support/shared';

const FIXTURES = resolve(__dirname, '../../fixtures/titres');
const fixtureJson = () => JSON.parse(readFileSync(join(FIXTURES, 'titres-2024.json'), 'utf8'));

function zipEntries(path: string): Promise<string[]> {
  return new Promise((res, rej) =>
    yauzl.open(path, { lazyEntries: false }, (err, zip) => {
      if (err || !zip) return rej(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => names.push(e.fileName));
      zip.on('end', () => res(names));
    }),
  );
}

describeWithReference('PES ASAP flows (titres → PES_Aller validated against the DGFiP schemas)', () => {
  let t: TestApp;
  let out: string;
  const clock = new FixedClock(new Date('2024-04-05T09:00:00Z'));

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: Clock, useValue: clock }] });
    out = mkdtempSync(join(tmpdir(), 'pes-out-'));
    const report = await t.app.get(DirectoryImportService).importFile(join(FIXTURES, 'annuaire-extrait.csv'));
    expect(report).toMatchObject({ structures: 4, rejected: 1 });
    expect(report.errors[0]).toMatchObject({ line: 7, reason: expect.stringContaining('SIRET invalide') });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads the directory: services, active flags, requirements', async () => {
    const d = await t.app.get(DirectoryService).get('21345000200018');
    expect(d).toMatchObject({ active: true, serviceRequired: true, engagementRequired: true });
    expect(d.services).toEqual([
      { code: 'ANCIEN', label: 'Ancien service', active: false },
      { code: 'FINANCES', label: 'Service des finances', active: true },
    ]);
    expect((await t.app.get(DirectoryService).get('21334000500015')).active).toBe(false);
  });

  it('imports the JSON fixture (budget settings + titres) and generates one flow valid against the XSD', async () => {
    const report = await t.app.get(TitresImportService).importFile(join(FIXTURES, 'titres-2024.json'));
    expect(report).toMatchObject({ budget: 'EXEMPLEVILLE-01', read: 6, created: 6, skipped: 0, rejected: [] });
    expect(report.titres.map((x) => x.number)).toEqual([1, 2, 3, 4, 5, 6]);
    // Re-importing the same batch creates nothing twice.
    expect(await t.app.get(TitresImportService).importFile(join(FIXTURES, 'titres-2024.json'))).toMatchObject({ created: 0, skipped: 6 });

    const result = await t.app.get(PesGenerateService).generate('EXEMPLEVILLE-01', { outDir: out });
    expect(result).toMatchObject({ bordereaux: 1, titres: 6, refused: [] });
    const xml = readFileSync(result.files[0], 'utf8');
    expect(result.files[0]).toMatch(/PESALR_21340000100011_12301_2024_BORD0000001\.xml$/);

    // Valid against the v5.17 package as it is (one titre carries a PDF: PJ 008).
    const v = await validatePes(xml);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);

    const doc = parsePes(xml).PES_Aller;
    const bord = doc.PES_RecetteAller.Bordereau[0];
    const pieces = bord.Piece;
    expect(pieces.map((p: any) => p.BlocPiece.Edition.V)).toEqual(['01', '01', '02', '02', '04', '04']);
    // Totals of the bordereau = sum of its lines, to the cent.
    const lines = pieces.flatMap((p: any) => p.LigneDePiece.map((l: any) => l.BlocLignePiece.InfoLignePiece));
    expect(bord.BlocBordereau.MtBordHt.V).toBe(sum(lines.map((l: any) => l.MtHT.V)).toFixed(2));
    expect(bord.BlocBordereau.MtBordTVA.V).toBe(sum(lines.filter((l: any) => l.MtTVA).map((l: any) => l.MtTVA.V)).toFixed(2));
    expect(bord.BlocBordereau.MtBordHt.V).toBe('6053.30');
    // Entity debtor of an ASAP CPP: SIRET in IdTiers, NatIdTiers 01; person debtor: name, first name, civility.
    const cpp = pieces[2].LigneDePiece[0].Tiers[0].InfoTiers;
    expect(cpp).toMatchObject({ IdTiers: { V: '21345000200018' }, NatIdTiers: { V: '01' }, CatTiers: { V: '23' }, NatJur: { V: '09' } });
    const person = pieces[0].LigneDePiece[0].Tiers[0].InfoTiers;
    expect(person).toMatchObject({ CatTiers: { V: '01' }, Civilite: { V: 'M' }, Nom: { V: 'MARTIN' }, Prenom: { V: 'JEAN' } });
    expect(person.IdTiers).toBeUndefined();
    // Several VAT rates on one titre; no TxTva/MtTVA on VAT-free lines.
    expect(pieces[1].LigneDePiece.map((l: any) => l.BlocLignePiece.InfoLignePiece.TxTva?.V)).toEqual(['20', '5.5']);
    expect(pieces[0].LigneDePiece[0].BlocLignePiece.InfoLignePiece.MtTVA).toBeUndefined();
    // Each titre references its ASAP (PJ 006); the third also its PDF (PJ 008).
    const pjs = doc.PES_PJ.PJ;
    expect(pjs.filter((p: any) => p.TypePJ.V === '006')).toHaveLength(6);
    expect(pjs.filter((p: any) => p.TypePJ.V === '008').map((p: any) => p.NomPJ.V)).toEqual(['convention-mad.pdf']);
    for (const p of pieces) for (const ref of p.BlocPiece.PJRef) expect(pjs.some((pj: any) => pj.IdUnique.V === ref.IdUnique.V)).toBe(true);

    // Every ASAP: TypeFact 09, Signataire, tiers 25 and 26, RefTitre, totals = sum of its lines; valid.
    const factures = innerFactures(xml);
    expect(factures).toHaveLength(6);
    for (const [i, f] of factures.entries()) {
      const fact = parsePes(f.xml).PES_Facture;
      expect(fact.TypeFact.V).toBe('09');
      expect(fact.Emetteur.Signataire).toMatchObject({ Personne: { Nom: { V: 'DUPONT' }, Prenom: { V: 'MARIE' } }, Role: { V: 'Le Maire' } });
      expect(fact.Emetteur.InfoSuppl.RefBdf.V).toBe('123456');
      expect(fact.Tiers.map((x: any) => x.InfoTiers.TypTiers.V)).toEqual(['25', '26']);
      const indiv = fact.FactureIndiv;
      expect(indiv.RefTitre).toMatchObject({ Exercice: { V: '2024' }, NumBordereau: { V: '1' }, NumTitre: { V: String(i + 1) }, NumLigne: { V: '1' } });
      const ttc = sum(indiv.LigneFacture.map((l: any) => l.MtTTC.V));
      expect(indiv.TotalAPayer.MtTotalTTC.V).toBe(ttc.toFixed(2));
      expect(money(indiv.TotalAPayer.MtTotalHT.V).plus(indiv.TotalAPayer.MtTotalTVA.V).toFixed(2)).toBe(ttc.toFixed(2));
      expect(indiv.ModeRecouvrement.V).toBe('1');
      expect(indiv.TalonOptique2Lignes.Ligne2.V).toMatch(/^[0-9 ]+$/);
      const v = await validateInnerFacture(xml, f.xml);
      expect(v.errors).toEqual([]);
    }
    const second = parsePes(factures[1].xml).PES_Facture.FactureIndiv;
    expect(second.TotalAPayer).toMatchObject({ MtTotalHT: { V: '603.20' }, MtTotalTVA: { V: '102.78' }, MtTotalTTC: { V: '705.98' } });
  });

  it('freezes a generated bordereau: no titre change, nothing generated twice, the same file again', async () => {
    const titres = t.app.get(TitresService);
    const [first] = await titres.list('EXEMPLEVILLE-01');
    expect(first).toMatchObject({ status: 'EMIS', bordereau: 1 });
    await expect(titres.update(first.id, { ...fixtureJson().titres[0] })).rejects.toMatchObject({ code: 'TITRE_FROZEN', kind: 'conflict' });
    const gen = t.app.get(PesGenerateService);
    expect(await gen.generate('EXEMPLEVILLE-01', { outDir: out })).toMatchObject({ bordereaux: 0, titres: 0, files: [] });
    const dir2 = mkdtempSync(join(tmpdir(), 'pes-again-'));
    const again = await gen.generate('EXEMPLEVILLE-01', { bordereau: 1, outDir: dir2 });
    expect(readFileSync(again.files[0])).toEqual(readFileSync(join(out, readdirSync(out)[0])));
    const zipped = await gen.generate('EXEMPLEVILLE-01', { bordereau: 1, outDir: dir2, zip: true });
    expect(zipped.files[0]).toMatch(/\.zip$/);
    expect(await zipEntries(zipped.files[0])).toEqual([again.items[0].fileName]);
  });

  it('imports a CSV batch: bad rows reported by line with the reason, good rows kept, valid flow without PDF', async () => {
    const settings = { ...fixtureJson().budget, code: 'EXEMPLEVILLE-02' };
    settings.collectivite = { ...settings.collectivite, codBud: '02' };
    await t.app.get(PesBudgetsService).upsert(settings);
    const report = await t.app.get(TitresImportService).importFile(join(FIXTURES, 'titres-2024.csv'), { budget: 'EXEMPLEVILLE-02' });
    expect(report).toMatchObject({ read: 5, created: 3 });
    expect(report.rejected).toEqual([
      { line: 'ligne 5', ref: 'CSV-0003', reason: expect.stringContaining('Débiteur inactif dans Chorus Pro') },
      { line: 'ligne 7', ref: 'CSV-0005', reason: expect.stringMatching(/strictement positif.*Adr2|Adr2.*strictement positif/) },
    ]);
    const result = await t.app.get(PesGenerateService).generate('EXEMPLEVILLE-02', { outDir: out });
    expect(result).toMatchObject({ bordereaux: 1, titres: 3, refused: [] });
    const xml = readFileSync(result.files[0], 'utf8');
    const v = await validatePes(xml);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
    const pieces = parsePes(xml).PES_Aller.PES_RecetteAller.Bordereau[0].Piece;
    expect(pieces[1].LigneDePiece.map((l: any) => l.BlocLignePiece.InfoLignePiece.MtTVA.V)).toEqual(['162.48', '16.56']);
    for (const f of innerFactures(xml)) expect((await validateInnerFacture(xml, f.xml)).errors).toEqual([]);
  });

  it('reads an ISO-8859-1 or UTF-16 CSV as such (detected, or --encoding), never as mojibake', async () => {
    const settings = { ...fixtureJson().budget, code: 'EXEMPLEVILLE-03' };
    settings.collectivite = { ...settings.collectivite, codBud: '03' };
    await t.app.get(PesBudgetsService).upsert(settings);
    const csv = readFileSync(join(FIXTURES, 'titres-2024.csv'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'titres-encodings-'));
    // New refs and invoice numbers per variant (a numéro de facture is used once per collectivité).
    const renamed = (prefix: string) => csv.replace(/CSV-/g, `${prefix}-`).replace(/FLU-2024-/g, `FLU-${prefix}-`);
    const variants: Array<[prefix: string, bytes: Buffer, args: string[]]> = [
      ['LAT', iconv.encode(renamed('LAT'), 'latin1'), []],
      ['U16', iconv.encode(renamed('U16'), 'utf16le', { addBOM: true }), []],
      ['W52', iconv.encode(renamed('W52'), 'windows-1252'), ['--encoding', 'windows-1252']],
    ];
    for (const [prefix, bytes, args] of variants) {
      const path = join(dir, `${prefix}.csv`);
      writeFileSync(path, bytes);
      const cli = await runCliInProcess(t.app, ['titres', 'import', path, '--budget', 'EXEMPLEVILLE-03', '--json', ...args]);
      expect(JSON.parse(cli.lines[cli.lines.length - 1])).toMatchObject({ read: 5, created: 3 });
      const rows: Array<{ object: string }> = await t.app.get(DataSource).query(`SELECT object FROM pes_titres WHERE external_ref LIKE $1 ORDER BY external_ref`, [`${prefix}-%`]);
      expect(rows.map((r) => r.object)).toEqual(['Droits de place marché avril', 'Refacturation fluides CCAS', expect.any(String)]);
    }
    const unknown = await runCliInProcess(t.app, ['titres', 'import', join(dir, 'LAT.csv'), '--budget', 'EXEMPLEVILLE-03', '--encoding', 'ebcdic']).catch((e: Error) => e);
    expect(String((unknown as { stderr?: string }).stderr ?? unknown)).toContain('Encodage inconnu : « ebcdic »');
  });

  it('proves the validation runs: broken variants of a generated flow fail', async () => {
    const file = readdirSync(out).find((f) => f.includes('_12302_'))!;
    const xml = readFileSync(join(out, file), 'utf8');
    const noTotal = await validatePes(xml.replace(/<MtBordHt V="[^"]*"\/>/, ''));
    expect(noTotal.valid).toBe(false);
    expect(noTotal.errors.join('\n')).toContain('MtBordHt');
    const badEdition = await validatePes(xml.replace('<Edition V="01"/>', '<Edition V="07"/>'));
    expect(badEdition.valid).toBe(false);
    expect(badEdition.errors.join('\n')).toContain("'07'");
    const official = await validatePes(readFileSync(join(PES_REFERENCE, 'examples/invalid_missing_totalapayer.xml'), 'utf8'));
    expect(official.valid).toBe(false);
  });

  it('refuses what the DGFiP would reject, saying which titre and which rule', async () => {
    const titres = t.app.get(TitresService);
    const base = fixtureJson().titres;
    const refusal = (body: unknown) => titres.create('EXEMPLEVILLE-01', body).then(() => null, (e) => e);
    const cpp = { ...base[2], invoiceNumber: 'FAC-TEST-1' };
    delete cpp.pdf;
    expect(await refusal({ ...cpp, ref: 'X1', debtor: { ...cpp.debtor, siret: '21930053000017' } })).toMatchObject({
      code: 'TITRE_REFUSED',
      message: expect.stringContaining("Débiteur inconnu de l'annuaire Chorus Pro"),
    });
    expect((await refusal({ ...cpp, ref: 'X2', serviceCode: 'ANCIEN' })).message).toContain('Service « ANCIEN » inactif');
    expect((await refusal({ ...cpp, ref: 'X3', serviceCode: 'NOPE' })).message).toContain('Service « NOPE » inconnu');
    expect((await refusal({ ...cpp, ref: 'X4', serviceCode: undefined })).message).toContain('Code service obligatoire');
    expect((await refusal({ ...cpp, ref: 'X5', engagementNumber: undefined })).message).toContain("Numéro d'engagement obligatoire");
    expect((await refusal({ ...cpp, ref: 'X6', debtor: { ...cpp.debtor, siret: undefined } })).message).toContain('SIRET du débiteur est obligatoire');
    expect((await refusal({ ...base[0], ref: 'X7', lines: [{ ...base[0].lines[0], amountHt: '10.00', vatRate: '20', amountTva: '3.00' }] })).message).toContain('TVA 3,00\u00a0€ incohérente avec 10,00\u00a0€ × 20\u00a0% = 2,00\u00a0€');
    expect((await refusal({ ...base[0], ref: 'X8', edition: '07' })).message).toContain('Type ASAP (Edition)');

    // Accepted when recorded, refused at generation: the directory changed meanwhile, and a TIP limit.
    await titres.create('EXEMPLEVILLE-01', { ...cpp, ref: 'LATE-1', invoiceNumber: 'FAC-LATE-1' });
    await t.app.get(DirectoryService).upsertMany([{ siret: '21345000200018', name: 'COMMUNE DE DEBITVILLE', active: true, serviceRequired: true, engagementRequired: true, services: [{ code: 'FINANCES', label: 'Finances', active: false }] }]);
    const budgets = t.app.get(PesBudgetsService);
    const settings = (await budgets.get('EXEMPLEVILLE-01')).settings;
    await budgets.upsert({ ...settings, modalites: { ...settings.modalites, modeRecouvrement: 'TIP' } });
    await titres.create('EXEMPLEVILLE-01', { ...base[5], ref: 'BIG-1', lines: [{ ...base[5].lines[0], amountHt: '150000.01' }] });
    const result = await t.app.get(PesGenerateService).generate('EXEMPLEVILLE-01', { outDir: out });
    expect(result).toMatchObject({ bordereaux: 0, titres: 0 });
    expect(result.refused).toEqual([
      { titre: '2024-7', reason: expect.stringContaining('CPP_SERVICE_INACTIVE') },
      { titre: '2024-8', reason: expect.stringContaining('TIP_AMOUNT_LIMIT') },
    ]);
    expect((await titres.list('EXEMPLEVILLE-01', { status: 'EN_ATTENTE' }))[0].lastRefusal).toContain('inactif');

    // Settings an ASAP needs: no flow at all without a signataire.
    await budgets.upsert({ ...settings, signataire: {} });
    await expect(t.app.get(PesGenerateService).generate('EXEMPLEVILLE-01', { outDir: out })).rejects.toMatchObject({
      code: 'PES_SETTINGS_INCOMPLETE',
      message: expect.stringContaining('Signataire'),
    });
    await budgets.upsert(settings);
  });

  it('allocates titre numbers without gap nor duplicate under concurrency', async () => {
    const titres = t.app.get(TitresService);
    const body = { ...fixtureJson().titres[0], issueDate: '2025-01-10' };
    const created = await Promise.all(Array.from({ length: 25 }, (_, i) => titres.create('EXEMPLEVILLE-02', { ...body, ref: `CONC-${i}` })));
    expect(created.map((c) => c.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(created.map((c) => c.year))).toEqual(new Set([2025]));
  });

  it('reads the PES_ACQUIT sample and marks our bordereaux accepted or rejected with the reason', async () => {
    const acquits = t.app.get(PesAcquitService);
    const sample = await acquits.applyFile(join(PES_REFERENCE, 's2low/test/PHPUnit/helios/fixtures/pes_acquit.xml'));
    expect(sample).toMatchObject({ nomFic: 'pescg291201703030412001', budget: null, updated: 0 });
    expect(sample.elements).toHaveLength(5);
    expect(sample.elements[0]).toMatchObject({ domaineLabel: 'dépense', accepted: true, exercice: 2015, bordereau: 1847, matched: false });
    expect(sample.elements[1]).toMatchObject({ domaineLabel: 'PJ', idUnique: '200049104000252015DEPENSE0000087458' });

    const acquit = (body: string) =>
      Buffer.from(
        `<?xml version="1.0" encoding="ISO-8859-1"?><n:PES_ACQUIT xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour/v2">
        <Enveloppe><Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="ACQ1"/></Parametres></Enveloppe>
        <EnTetePES><DteStr V="2024-04-06"/><IdPost V="034000"/><IdColl V="21340000100011"/><CodCol V="123"/><CodBud V="02"/></EnTetePES>
        <ACQUIT><EnTeteAcquit><IdVer V="2"/></EnTeteAcquit>${body}</ACQUIT></n:PES_ACQUIT>`,
        'latin1',
      );
    const ok = await acquits.apply(acquit('<ElementACQUIT><DomaineAck V="6"/><EtatAck V="1"/><NumBord V="1"/><ExerciceBord V="2024"/></ElementACQUIT>'));
    expect(ok).toMatchObject({ budget: 'EXEMPLEVILLE-02', updated: 1, elements: [{ matched: true, status: 'ACCEPTE' }] });
    const ko = await acquits.apply(
      acquit(
        `<ElementACQUIT><DomaineAck V="6"/><EtatAck V="2"/><NumBord V="1"/><ExerciceBord V="2024"/>
         <Erreur><NumAnoAck V="1203"/><LibelleAnoAck V="Numéro de bordereau déjà connu"/></Erreur></ElementACQUIT>`,
      ),
    );
    expect(ko.updated).toBe(1);
    const [b] = await t.app.get(PesGenerateService).listBordereaux('EXEMPLEVILLE-02');
    expect(b).toMatchObject({ status: 'REJETE', acquitCode: '1203', acquitReason: 'anomalie 1203 : Numéro de bordereau déjà connu' });
  });
});
