/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk parsed XML trees */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Clock, FixedClock } from '@/clock/clock.port';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { buildDemoPdf } from '@/fixtures-generator/demo-pdf.factory';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesAsapRetourService } from '@/pes/pes-asap-retour.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitresService } from '@/pes/titres.service';
import { runCliInProcess } from '@test/support/cli';
import { createTestApp, TestApp } from '@test/support/test-app';
import { innerFactures, parsePes, pesAttachments, validatePes, validatePesAcquit, validatePesFacture } from '@test/pes/pes-xsd';
import { buildPesAcquit, buildPesAsapRetour } from '@test/pes/pes-answers.builder';
import { describeWithReference } from '@test/support/shared';

const FIXTURES = resolve(__dirname, '../../fixtures/titres');
const fixture = () => JSON.parse(readFileSync(join(FIXTURES, 'titres-2024.json'), 'utf8'));
const SIRET = '21340000100011';

describeWithReference('PES v5.17: two budgets of one SIRET, Hélios acquits and PES_AsapRetour', () => {
  let t: TestApp;
  let out: string;
  const clock = new FixedClock(new Date('2024-04-05T09:00:00Z'));
  const pdf = buildDemoPdf({ lines: ['Convention de mise à disposition', 'Annexe au titre'] });
  /** Generated files by budget code: path, xml, NomFic. */
  const files: Record<string, { xml: string; nomFic: string; path: string }> = {};

  const titresFor = (budget: string, suffix: string) => {
    const f = fixture();
    return f.titres.map((x: any) => {
      const { pdf: withPdf, ...rest } = x;
      return {
        ...rest,
        ref: `${x.ref}-${suffix}`,
        ...(x.invoiceNumber ? { invoiceNumber: `${x.invoiceNumber}-${suffix}` } : {}),
        ...(withPdf ? { pdf: { name: withPdf.name, base64: pdf.toString('base64') } } : {}),
        budget,
      };
    });
  };

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: Clock, useValue: clock }] });
    out = mkdtempSync(join(tmpdir(), 'pes-helios-'));
    await t.app.get(DirectoryImportService).importFile(join(FIXTURES, 'annuaire-extrait.csv'));
    const budgets = t.app.get(PesBudgetsService);
    const settings = fixture().budget;
    await budgets.upsert(settings);
    await budgets.upsert({ ...settings, code: 'EXEMPLEVILLE-02', collectivite: { ...settings.collectivite, codBud: '02' }, tresorerie: { ...settings.tresorerie, email: 'sgc@dgfip.finances.gouv.fr' } });
    const titres = t.app.get(TitresService);
    for (const [code, suffix] of [['EXEMPLEVILLE-01', 'A'], ['EXEMPLEVILLE-02', 'B']]) {
      for (const body of titresFor(code, suffix)) await titres.create(code, body);
      const result = await t.app.get(PesGenerateService).generate(code, { outDir: out });
      expect(result).toMatchObject({ bordereaux: 1, titres: 6, refused: [], warnings: [] });
      const xml = readFileSync(result.files[0], 'utf8');
      files[code] = { xml, path: result.files[0], nomFic: result.items[0].fileName.replace(/\.xml$/, '') };
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names each file PESALR2_<SIRET>_<aammjj>_<n>, NomFic unique per file, Enveloppe/Emetteur and Version 2', () => {
    expect(files['EXEMPLEVILLE-01'].nomFic).toBe(`PESALR2_${SIRET}_240405_1`);
    expect(files['EXEMPLEVILLE-02'].nomFic).toBe(`PESALR2_${SIRET}_240405_2`);
    for (const { xml, nomFic } of Object.values(files)) {
      const env = parsePes(xml).PES_Aller.Enveloppe;
      expect(env.Parametres).toEqual({ Version: { V: '2' }, TypFic: { V: 'PESALR1' }, NomFic: { V: nomFic } });
      expect(env.Emetteur).toEqual({ Sigle: { V: 'PASSERELLE' }, Adresse: { V: expect.stringMatching(/^Passerelle \d/) } });
    }
  });

  it('validates every file against v5.17 PES_Aller.xsd and every PES_Facture against its v5.17 type', async () => {
    for (const { xml } of Object.values(files)) {
      expect((await validatePes(xml)).errors).toEqual([]);
      const factures = innerFactures(xml);
      expect(factures).toHaveLength(6);
      for (const f of factures) expect((await validatePesFacture(f.xml)).errors).toEqual([]);
    }
  });

  it('carries the ASAP CPP fields of Edition 02 in BlocPiece, and Editions 01/02/04', () => {
    const pieces = parsePes(files['EXEMPLEVILLE-02'].xml).PES_Aller.PES_RecetteAller.Bordereau[0].Piece;
    expect(pieces.map((p: any) => p.BlocPiece.Edition.V)).toEqual(['01', '01', '02', '02', '04', '04']);
    expect(pieces[2].BlocPiece).toMatchObject({
      NumeroFacture: { V: 'FAC-2024-0003-B' },
      NumeroMarche: { V: 'M2024-007' },
      NumeroEngagement: { V: 'EJ2024000042' },
      CodeService: { V: 'FINANCES' },
      NomService: { V: 'Service des finances' },
    });
    expect(pieces[3].BlocPiece.NumeroFacture.V).toBe('FAC-2024-0004-B');
    for (const p of [pieces[0], pieces[4]]) expect(p.BlocPiece.NumeroFacture).toBeUndefined();
  });

  it('gzips every PJ (the 008 PDF too) and gives IdUniques unique for the comptable across budgets', () => {
    const ids: string[] = [];
    for (const { xml } of Object.values(files)) {
      const pjs = pesAttachments(xml); // gunzip throws on anything not gzip
      const doc = pjs.find((p) => p.typePJ === '008')!;
      expect(doc.mimeType).toBe('application/pdf');
      expect(doc.content.equals(pdf)).toBe(true);
      for (const p of pjs) {
        expect(p.idUnique.length).toBeLessThanOrEqual(50);
        expect(p.idUnique).toMatch(new RegExp(`^${SIRET}[0-9A-Z]+$`));
        ids.push(p.idUnique);
      }
    }
    expect(ids).toHaveLength(14);
    expect(new Set(ids).size).toBe(14);
    expect(ids).toContain(`${SIRET}12301REC2024ASAP1`);
    expect(ids).toContain(`${SIRET}12302REC2024ASAP1`);
  });

  it('prints the voies de recours (ModalitesContestation), the trésorerie InfoSupplTiers and the talon from the settings', () => {
    const f = parsePes(innerFactures(files['EXEMPLEVILLE-02'].xml)[0].xml).PES_Facture;
    const settings = fixture().budget;
    expect(f.FactureIndiv.ModalitesContestation.V).toBe(settings.modalites.voiesDeRecours);
    const tr = f.Tiers.find((x: any) => x.InfoTiers.TypTiers.V === '26');
    expect(tr.InfoSupplTiers).toEqual({ NumTel2: { V: '0467111111' }, HorairesOuv2: { V: 'Lundi au jeudi 8h30-12h' }, AdresseMelCFP: { V: 'sgc@dgfip.finances.gouv.fr' } });
    // {CODCOL}{CODBUD} {EXERCICE} {BORDEREAU:7} {TITRE:13} / {SIRET} {MONTANT:12}: filled in, no key added.
    expect(f.FactureIndiv.TalonOptique2Lignes).toEqual({ Ligne1: { V: '12302 2024 0000001 0000000000001' }, Ligne2: { V: `${SIRET} ${f.FactureIndiv.TotalAPayer.MtTotalTTC.V.replace('.', '').padStart(12, '0')}` } });
  });

  it('refuses an ASAP whose mode needs a talon the settings cannot give, and warns for a closed exercice', async () => {
    const budgets = t.app.get(PesBudgetsService);
    const settings = fixture().budget;
    await budgets.upsert({ ...settings, code: 'EXEMPLEVILLE-03', collectivite: { ...settings.collectivite, codBud: '03' }, talon: {}, exercicesClos: [2023] });
    const [person, , , , sans] = titresFor('EXEMPLEVILLE-03', 'C');
    const titres = t.app.get(TitresService);
    await titres.create('EXEMPLEVILLE-03', person);
    await titres.create('EXEMPLEVILLE-03', { ...sans, year: 2023, issueDate: '2024-01-10' });
    const r = await t.app.get(PesGenerateService).generate('EXEMPLEVILLE-03', { outDir: out });
    expect(r.refused).toEqual([{ titre: '2024-1', reason: expect.stringContaining("TALON_REQUIRED : Talon optique obligatoire") }]);
    expect(r.refused[0].reason).toContain("n'invente pas de clé HEL");
    expect(r.warnings.map((w) => w.code)).toEqual(['EXERCICE_CLOS', 'ISSUE_DATE_OUTSIDE_EXERCISE', 'BORDEREAU_AFTER_EXERCISE']);
    expect(r.warnings[0]).toMatchObject({ titre: '2023-1', message: expect.stringContaining('Exercice 2023 clos') });
    // Edition 04 (not edited by the DGFiP) goes without a talon; the file is still valid.
    const xml = readFileSync(r.files[0], 'utf8');
    expect(parsePes(innerFactures(xml)[0].xml).PES_Facture.FactureIndiv.TalonOptique2Lignes).toBeUndefined();
    expect((await validatePes(xml)).errors).toEqual([]);
  });

  const header = (codBud: string, nomFic: string) => ({ nomFic, idColl: SIRET, codCol: '123', codBud });
  const list = async (code: string) => t.app.get(PesGenerateService).listBordereaux(code);

  it('applies a whole-file rejection (DomaineAck 1) to every bordereau of that file only', async () => {
    const acquit = buildPesAcquit(header('01', files['EXEMPLEVILLE-01'].nomFic), [
      { domaine: 1, ok: false, errors: [{ code: 'ERREUR_SIGNATURE_INVALIDE', libelle: '1013 - Signature du flux invalide' }] },
    ]);
    expect((await validatePesAcquit(acquit.toString('latin1'))).errors).toEqual([]);
    const r = await t.app.get(PesAcquitService).apply(acquit);
    expect(r).toMatchObject({ budget: 'EXEMPLEVILLE-01', updated: 1, bordereaux: [{ domain: 'recette', year: 2024, number: 1, status: 'REJETE', errors: 1 }] });
    const [b] = await list('EXEMPLEVILLE-01');
    expect(b).toMatchObject({ status: 'REJETE', acquitCode: '1013' });
    expect(b.errors).toEqual([expect.objectContaining({ domaine: '1', domaineLabel: 'signature technique', anoCode: 'ERREUR_SIGNATURE_INVALIDE', heliosCode: '1013', piece: null })]);
    expect((await list('EXEMPLEVILLE-02'))[0].status).toBe('GENERE');
    // The same acquit read again changes nothing.
    expect(await t.app.get(PesAcquitService).apply(acquit)).toMatchObject({ alreadyApplied: true, updated: 0, message: expect.stringContaining('déjà lu') });
    expect((await list('EXEMPLEVILLE-01'))[0].errors).toHaveLength(1);
  });

  it('keeps a PJ rejection when the recette acceptance comes after it (document order)', async () => {
    const asapId = `${SIRET}12302REC2024ASAP3`;
    const acquit = buildPesAcquit(header('02', files['EXEMPLEVILLE-02'].nomFic), [
      { domaine: 4, ok: true, idUnique: `${SIRET}12302REC2024ASAP1` },
      { domaine: 4, ok: false, idUnique: asapId, errors: [{ code: 'ERREUR_DOUBLON_PJ', libelle: '1984 - La PJ portant cet identifiant a déjà été intégrée' }] },
      { domaine: 6, ok: true, numBord: 1, exercice: 2024 },
    ]);
    expect((await validatePesAcquit(acquit.toString('latin1'))).errors).toEqual([]);
    const r = await t.app.get(PesAcquitService).apply(acquit);
    expect(r.elements.map((e) => [e.domaineLabel, e.matched])).toEqual([['PJ', true], ['PJ', true], ['recette', true]]);
    const [b] = await list('EXEMPLEVILLE-02');
    expect(b).toMatchObject({ status: 'REJETE', acquitCode: '1984', acquitReason: expect.stringContaining(`PJ ${asapId}`) });
    expect(b.errors).toEqual([expect.objectContaining({ domaine: '4', domaineLabel: 'PJ', idUnique: asapId, heliosCode: '1984', anoCode: 'ERREUR_DOUBLON_PJ' })]);
  });

  it('keeps every rejected piece and line with its Hélios number; pes bordereaux shows them', async () => {
    // A later acquit (another file) for budget 01 accepting nothing but rejecting two pieces of its bordereau.
    const acquit = buildPesAcquit(header('01', files['EXEMPLEVILLE-01'].nomFic), [
      {
        domaine: 6, ok: false, numBord: 1, exercice: 2024,
        pieces: [
          { num: 3, errors: [{ code: 'ERREUR_AUTRE', libelle: '2559 - Le code service FINANCES est inconnu ou inactif dans Chorus Pro' }] },
          { num: 4, lines: [{ num: 1, errors: [{ code: 'ERREUR_AUTRE', libelle: '1963 - Numéro d engagement obligatoire pour ce destinataire' }] }] },
        ],
      },
    ]);
    expect((await validatePesAcquit(acquit.toString('latin1'))).errors).toEqual([]);
    await t.app.get(PesAcquitService).apply(acquit);
    const [b] = await list('EXEMPLEVILLE-01');
    expect(b.status).toBe('REJETE');
    expect(b.errors.slice(1)).toEqual([
      expect.objectContaining({ domaine: '6', domaineLabel: 'recette', piece: '3', line: null, heliosCode: '2559' }),
      expect.objectContaining({ domaine: '6', piece: '4', line: '1', heliosCode: '1963', message: expect.stringContaining('pièce 4 ligne 1') }),
    ]);
    const cli = await runCliInProcess(t.app, ['pes', 'bordereaux', '--budget', 'EXEMPLEVILLE-01', '--json']);
    const json = JSON.parse(cli.lines.at(-1)!);
    expect(json[0]).toMatchObject({ domain: 'recette', status: 'REJETE', fileName: `${files['EXEMPLEVILLE-01'].nomFic}.xml`, errors: [{ heliosCode: '1013' }, { piece: '3' }, { piece: '4', line: '1' }] });
    const human = await runCliInProcess(t.app, ['pes', 'bordereaux', '--budget', 'EXEMPLEVILLE-01']);
    expect(human.lines.join('\n')).toContain('erreur 2559 (domaine 6 recette, pièce 3)');
  });

  it('says which EnTetePES was looked up for an unknown budget, and refuses other roots in French (also on --json)', async () => {
    const r = await t.app.get(PesAcquitService).apply(buildPesAcquit({ nomFic: 'X', idColl: '21930053000017', codCol: '999', codBud: '09' }, [{ domaine: 6, ok: true, numBord: 1, exercice: 2024 }]));
    expect(r).toMatchObject({ budget: null, updated: 0, message: expect.stringContaining('IdColl 21930053000017, CodCol 999, CodBud 09') });
    const retour = buildPesAcquit(header('01', 'X'), [{ domaine: 6, ok: true, numBord: 1, exercice: 2024 }], 'PES_ACQUIT_RETOUR');
    await expect(t.app.get(PesAcquitService).apply(retour)).rejects.toMatchObject({ code: 'ACQUIT_NOT_PES_ACQUIT', message: expect.stringContaining('PES_ACQUIT_RETOUR') });
    const path = join(out, 'acquit-retour.xml');
    writeFileSync(path, retour);
    const cli = await runCliInProcess(t.app, ['pes', 'acquit', path, '--json']);
    expect(cli.exitCode).toBe(1);
    expect(JSON.parse(cli.lines.at(-1)!)).toEqual({ error: { code: 'ACQUIT_NOT_PES_ACQUIT', message: expect.stringContaining("n'est pas un PES_ACQUIT") } });
  });

  it('reads a PES_AsapRetour: postalisation, mail notification then first reading, rejection with its motif, on the titre', async () => {
    const id = (n: number) => `${SIRET}12302REC2024ASAP${n}`;
    const h = { idColl: SIRET, codCol: '123', codBud: '02' };
    const svc = t.app.get(PesAsapRetourService);
    const first = buildPesAsapRetour(h, [
      { idUnique: id(1), exer: 2024, idBord: 1, idPce: 1, postedOn: '2024-04-12' },
      { idUnique: id(2), exer: 2024, idBord: 1, idPce: 2, mail: { notifiedOn: '2024-04-11' } },
      { idUnique: id(3), exer: 2024, idBord: 1, idPce: 3, complement: { idUnique: `${SIRET}12302REC2024DOC3`, etat: '01' }, rejet: { on: '2024-04-13', postalisation: '02', relance: true } },
      { idUnique: 'INCONNU1', exer: 2024, idBord: 9, idPce: 99, postedOn: '2024-04-12' },
    ]);
    const r = await svc.apply(first);
    expect(r).toMatchObject({ read: 4, recorded: 3, unmatched: 1 });
    expect(r.items[2]).toMatchObject({ titre: '2024-3', budget: 'EXEMPLEVILLE-02', summary: expect.stringContaining('ERR012') });
    expect((await svc.apply(first)).recorded).toBe(0);
    await svc.apply(buildPesAsapRetour(h, [{ idUnique: id(2), exer: 2024, idBord: 1, idPce: 2, mail: { notifiedOn: '2024-04-11', firstReadOn: '2024-04-15' } }]));
    const cli = await runCliInProcess(t.app, ['titres', 'list', '--budget', 'EXEMPLEVILLE-02', '--json']);
    const titres = JSON.parse(cli.lines.at(-1)!);
    expect(titres[0].asapRetour).toMatchObject({ state: 'POSTALISE', postedOn: '2024-04-12' });
    expect(titres[1].asapRetour).toMatchObject({ state: 'LU', notifiedOn: '2024-04-11', firstReadOn: '2024-04-15' });
    expect(titres[2].asapRetour).toMatchObject({ state: 'REJETE', rejectedOn: '2024-04-13', relance: true, complementState: '01', rejectionReason: expect.stringContaining('anomalie dans le bloc adresse') });
    expect(titres[4].asapRetour).toBeNull();
    const human = (await runCliInProcess(t.app, ['titres', 'list', '--budget', 'EXEMPLEVILLE-02'])).lines.join('\n');
    expect(human).toContain("ASAP rejeté : Rejet de l'éditique : ERR012");
    expect(human).toContain('ASAP lu par le débiteur');
    await expect(svc.apply(buildPesAcquit(header('02', 'X'), []))).rejects.toMatchObject({ code: 'ASAP_RETOUR_NOT_ASAP_RETOUR', message: expect.stringContaining('pes acquit') });
  });
});
