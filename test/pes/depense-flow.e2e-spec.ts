/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk parsed XML trees */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { validateXML } from 'xmllint-wasm';
import { Clock, FixedClock } from '@/clock/clock.port';
import { money } from '@/common/money/money';
import { DEMO_STRUCTURES } from '@/fixtures-generator/demo-structures';
import { buildDepenseRetour, buildPesAcquit, HeliosHeader } from '@/fixtures-generator/helios-answers.generator';
import { buildFlowSpec, writePivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { IngestionService } from '@/ingestion/ingestion.service';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { DepenseBordereauService } from '@/pes/depense/depense-bordereau.service';
import { DepenseRetourService } from '@/pes/depense/depense-retour.service';
import { PaymentsExplainService } from '@/payments/payments-explain.service';
import { StructuresService } from '@/structures/structures.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { runCliInProcess } from '@test/support/cli';
import { createInvoice } from '@test/support/invoice.factory';
import { describeWithReference } from '@test/support/shared';
import { createTestApp, TestApp } from '@test/support/test-app';
import { parsePes, pesAttachments, schemaClosure, validatePes, validatePesAcquit } from '@test/pes/pes-xsd';

const budgetFixture = () => JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/titres/titres-2024.json'), 'utf8')).budget;

/** A PES_Retour against the v5.17 RETOUR/Rev0/PES_Retour.xsd (Hélios' own schema for what it sends back). */
async function validateRetour(xml: string): Promise<string[]> {
  const [main, ...preload] = schemaClosure('PES_V2/RETOUR/Rev0/PES_Retour.xsd');
  const res = await validateXML({ xml: [{ fileName: 'retour.xml', contents: xml }], schema: [main], preload, maxMemoryPages: 16384 });
  return res.errors.map((e) => e.rawMessage).filter((m) => /validity error|parser error|fails to validate/.test(m));
}

describeWithReference('PES dépense: mandats → PES_DepenseAller, acquit, PES_DepenseRetour, virement reçu', () => {
  let t: TestApp;
  let out: string;
  let db: DataSource;
  const clock = new FixedClock(new Date('2026-03-20T09:00:00Z'));
  const structure = DEMO_STRUCTURES[0];
  const BUDGET = 'DEP-01';
  let header: HeliosHeader;
  let agent: ReturnType<typeof apiAs>;
  const inv: Array<{ id: string; number: string; netAmount: string; receptionDate: string }> = [];
  const mandats: string[] = [];

  const rows = (sql: string, params: unknown[] = []) => db.query(sql, params);
  const statusOf = async (id: string) => (await rows(`SELECT status FROM invoices WHERE id = $1`, [id]))[0].status;
  const outbox = async (id: string) => (await rows(`SELECT target_status AS s FROM status_outbox WHERE invoice_id = $1 ORDER BY id`, [id])).map((r: any) => r.s);

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: Clock, useValue: clock }] });
    db = t.app.get(DataSource);
    out = mkdtempSync(join(tmpdir(), 'pes-depense-'));
    await t.app.get(StructuresService).upsert({ ...structure, services: structure.services.map((s) => ({ ...s })) });
    const settings = { ...budgetFixture(), code: BUDGET };
    settings.collectivite = { ...settings.collectivite, siret: structure.siret, codBud: '02' };
    await t.app.get(PesBudgetsService).upsert(settings);
    header = { nomFic: 'x', dteStr: '2026-03-21', idPost: settings.collectivite.idPost, idColl: structure.siret, codCol: settings.collectivite.codCol, codBud: '02' };
    // TxIntMor comes from the intérêts moratoires rate table; the half-year of these due dates is set as an admin would.
    await rows(`INSERT INTO late_interest_rates (half_year_start, ecb_rate, source) VALUES ('2026-01-01', 2.15, 'test') ON CONFLICT (half_year_start) DO UPDATE SET ecb_rate = 2.15`);

    const flow = buildFlowSpec(new SeededRng(1414), { index: 14, invoiceCount: 5, structure, creditNoteRatio: 0, supplementaryAttachments: 1, service: null, date: '2026-03-05' });
    const file = join(out, 'flux-depense.xml');
    await writePivotFlow(file, flow);
    expect((await t.app.get(IngestionService).importPaths([file], { source: 'cli' })).invoices.created).toBe(5);
    agent = apiAs(t, await createUserAndToken(t, { email: 'compta@saint-aubin.fr', role: 'agent', structureSirets: [structure.siret] }));
    const list = (await agent.get(`/api/invoices?status=A_TRAITER`)).body.items as any[];
    for (const spec of flow.invoices) {
      const found = list.find((i) => i.number === spec.number);
      inv.push({ id: found.id, number: String(spec.number), netAmount: money(found.netAmount).toFixed(2), receptionDate: String(spec.receptionDate) });
    }
  });
  afterAll(async () => {
    await t?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('mandates invoices (one in the waiting train, one whose PDF is unreadable)', async () => {
    for (const [i, x] of inv.entries()) {
      const res = await agent.post(`/api/invoices/${x.id}/mandate`, { imputations: [{ article: '6064', fonction: '020' }], train: i === 3 ? 'attente' : 'normal' });
      expect(res.status).toBe(200);
      mandats.push(res.body.mandateNumber);
    }
    expect(mandats).toEqual(['2026-000001', '2026-000002', '2026-000003', '2026-000004', '2026-000005']);
    // The fifth invoice's PDF could not be read from the pivot (as ingestion records an unreadable PJ).
    await rows(`UPDATE invoice_attachments SET storage_key = NULL, error_message = 'PJ illisible (ZIP corrompu)' WHERE invoice_id = $1`, [inv[4].id]);
  });

  let firstFile = '';
  let firstXml = '';

  it('generates a bordereau valid against v5.17: DGP block, tiers with IBAN, gzip PDF as PES_PJ 003 referenced by PJRef', async () => {
    const r = await t.app.get(DepenseBordereauService).generate(BUDGET, { outDir: out });
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ year: 2026, number: 1 });
    expect(r.items[0].mandats.map((m) => m.number)).toEqual(mandats.slice(0, 3));
    expect(r.held).toEqual([{ mandat: mandats[3], invoiceNumber: inv[3].number }]);
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0].reason).toMatch(/^Mandat 2026-000005 : la facture .* n'a pas de PDF lisible \(PJ illisible \(ZIP corrompu\)\)/);
    firstFile = r.files[0];
    firstXml = readFileSync(firstFile, 'utf8');
    expect(firstFile).toMatch(/PESALR2_\d{14}_260320_\d+\.xml$/);

    const v = await validatePes(firstXml);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);

    const doc = parsePes(firstXml).PES_Aller;
    expect(doc.EnTetePES.IdColl.V).toBe(structure.siret);
    const dep = doc.PES_DepenseAller;
    expect(dep.EnTeteDepense.IdVer.V).toBe('2');
    const bord = dep.Bordereau[0];
    expect(bord.BlocBordereau).toMatchObject({ Exer: { V: '2026' }, IdBord: { V: '1' }, TypBord: { V: '01' }, NbrPce: { V: '3' } });
    const total = inv.slice(0, 3).reduce((a, x) => a.plus(x.netAmount), money(0));
    expect(bord.BlocBordereau.MtBordHT.V).toBe(total.toFixed(2));
    const pjs = pesAttachments(firstXml);
    const ids = new Set<string>();
    for (const [i, p] of bord.Piece.entries()) {
      const info = p.BlocPiece.InfoPce;
      expect(info).toMatchObject({ IdPce: { V: String(i + 1) }, TypPce: { V: '01' }, NatPce: { V: '01' } });
      expect(info.Obj.V).toMatch(new RegExp(`^Facture N° ${inv[i].number} du \\d{2}/\\d{2}/\\d{4} reçue le \\d{2}/\\d{2}/\\d{4}$`));
      // DGP: eligible (0), from reception in Chorus Pro to the due date, the structure's 30 days, ECB rate.
      const due = (await rows(`SELECT due_date::text AS d FROM invoices WHERE id = $1`, [inv[i].id]))[0].d;
      expect(p.BlocPiece.DGP).toMatchObject({ Dgp: { V: '0' }, DteDebDgp: { V: inv[i].receptionDate }, DteFinDgp: { V: due }, DureeDgp: { V: '30' }, CodIntMor: { V: '02' } });
      expect(p.BlocPiece.DGP.TxIntMor).toEqual({ V: '10.15' }); // BCE 2,15 % + 8 points (R2192-31)
      const line = p.LigneDePiece[0];
      expect(line.BlocLignePiece.InfoLignePce).toMatchObject({ IdLigne: { V: '1' }, Nature: { V: '6064' }, Fonction: { V: '020' }, ModRegl: { V: '03' }, MtHT: { V: inv[i].netAmount } });
      expect(line.BlocLignePiece.InfoLignePce.Facture.V).toBe(inv[i].number.slice(0, 20));
      const tiers = line.Tiers[0];
      expect(tiers.InfoTiers).toMatchObject({ IdTiers: { V: expect.stringMatching(/^\d{14}$/) }, NatIdTiers: { V: '01' }, CatTiers: { V: '50' }, NatJur: { V: '03' } });
      expect(tiers.CpteBancaire.IBAN.V).toMatch(/^FR\d{2}/);
      // The invoice PDF and the supplementary PJ, each referenced and carried gzip+base64, TypePJ 003.
      expect(p.BlocPiece.InfoPce.PJRef).toHaveLength(2);
      for (const ref of p.BlocPiece.InfoPce.PJRef) {
        expect(ref.TypePJ.V).toBe('003');
        const pj = pjs.find((x) => x.idUnique === ref.IdUnique.V)!;
        expect(pj).toBeDefined();
        expect(pj.typePJ).toBe('003');
        expect(pj.refCompta).toMatchObject({ Domaine: { V: '01' }, Exercice: { V: '2026' }, Identifiant: { V: String(i + 1) } });
        ids.add(pj.idUnique);
      }
      const first = pjs.find((x) => x.idUnique === p.BlocPiece.InfoPce.PJRef[0].IdUnique.V)!;
      expect(first.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    expect(ids.size).toBe(6);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${structure.siret}12302DEP2026PJ\\d+S\\d$`));
  });

  it('writes a generated bordereau again identically, never renumbered; nothing left to send', async () => {
    const again = await t.app.get(DepenseBordereauService).generate(BUDGET, { bordereau: 1, year: 2026, outDir: join(out, 'again') });
    expect(readFileSync(again.files[0], 'utf8')).toBe(firstXml);
    const next = await t.app.get(DepenseBordereauService).generate(BUDGET, { outDir: out });
    expect(next.items).toEqual([]);
    expect(next.held).toHaveLength(1);
  });

  it('applies an acquit: the rejected mandat shows Hélios error, Chorus Pro is not told, it leaves again in bordereau 2', async () => {
    const before = await rows(`SELECT count(*)::int AS n FROM status_outbox`);
    const nomFic = firstFile.split('/').pop()!.replace(/\.xml$/, '');
    const acquit = buildPesAcquit({ ...header, nomFic }, [
      { domaine: '5', accepted: false, year: 2026, bordereau: 1, pieces: [{ idPce: 3, code: 'ERREUR_AUTRE', label: '1203 – Imputation budgétaire inconnue dans Hélios' }] },
    ]);
    expect((await validatePesAcquit(acquit.toString('latin1'))).errors).toEqual([]);
    const applied = await t.app.get(PesAcquitService).apply(acquit);
    expect(applied.bordereaux).toEqual([expect.objectContaining({ domain: 'depense', year: 2026, number: 1, status: 'REJETE' })]);

    const overview = (await agent.get(`/api/pes/depense?budget=${BUDGET}`)).body;
    const sent = overview.sent as any[];
    const third = sent.find((s) => s.mandateNumber === mandats[2]);
    expect(third).toMatchObject({ state: 'REJETE', stateLabel: 'Rejeté par Hélios', resendable: true, heliosCode: '1203' });
    expect(third.heliosReason).toContain('Imputation budgétaire inconnue dans Hélios');
    // Hélios rejects the bordereau that holds the faulty piece: the others leave again too, said so.
    expect(sent.find((s) => s.mandateNumber === mandats[0]).heliosReason).toMatch(/rejeté par Hélios pour un autre mandat/);
    expect(overview.pending.find((p: any) => p.mandat === mandats[2]).previousRejection).toContain('1203');
    expect(await rows(`SELECT count(*)::int AS n FROM status_outbox`)).toEqual(before);
    expect(await statusOf(inv[2].id)).toBe('MANDATEE');

    // The EDF-type invoice is released from the waiting train; bordereau 2 carries the four mandats.
    expect((await agent.post(`/api/pes/depense/release`, { budget: BUDGET, mandat: mandats[3] })).status).toBe(200);
    const cli = await runCliInProcess(t.app, ['pes', 'depense', '--budget', BUDGET, '--out', join(out, 'b2'), '--json']);
    expect(cli.exitCode).toBe(0);
    const r = JSON.parse(cli.lines.at(-1)!);
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ year: 2026, number: 2 });
    expect(r.items[0].mandats.map((m: any) => m.number)).toEqual(mandats.slice(0, 4));
    const xml2 = readFileSync(r.files[0], 'utf8');
    expect((await validatePes(xml2)).errors).toEqual([]);
    // Sent again after the rejection, the PJ travel under new IdUniques (Hélios refuses one it knows: 1984).
    const firstIds = new Set(pesAttachments(firstXml).map((p) => p.idUnique));
    const ids2 = pesAttachments(xml2).map((p) => p.idUnique);
    expect(ids2.filter((id) => firstIds.has(id))).toEqual([]);
    expect(ids2.filter((id) => /E2PJ3S1$/.test(id))).toHaveLength(1);
    const nomFic2 = r.items[0].nomFic;
    await t.app.get(PesAcquitService).apply(buildPesAcquit({ ...header, nomFic: nomFic2 }, [{ domaine: '5', accepted: true, year: 2026, bordereau: 2 }]));
    const after = (await agent.get(`/api/pes/depense?budget=${BUDGET}`)).body.sent as any[];
    expect(after.filter((s) => s.bordereauNumber === 2).map((s) => s.state)).toEqual(['ACCEPTE', 'ACCEPTE', 'ACCEPTE', 'ACCEPTE']);
  });

  // Mandat 1 paid in full; 2 paid minus a retenue de garantie; 3 under a partial opposition; 4 taken in charge only.
  const retenue = (x: string) => money(x).times('0.05').toDecimalPlaces(2).toFixed(2);
  const opposed = '150.00';
  let retourBuffer: Buffer;

  it('reads a PES_DepenseRetour shaped like Hélios’ (ISO-8859-1): states, CessOpp, payments → MISE_EN_PAIEMENT from Hélios', async () => {
    retourBuffer = buildDepenseRetour({
      ...header,
      nomFic: 'PESDEPRETOUR_2026_04_10',
      dteStr: '2026-04-10',
      bordereaux: [
        {
          year: 2026,
          number: 2,
          pieces: [
            { idPce: 1, etatPce: '05', obj: 'Facture réglée — Saint-Aubin', lines: [{ idLigne: 1, mtHt: inv[0].netAmount, cessOpp: '01', payments: [{ orgEma: '01', paidOn: '2026-04-01', amount: inv[0].netAmount }] }] },
            {
              idPce: 2,
              etatPce: '05',
              lines: [{ idLigne: 1, mtHt: inv[1].netAmount, cessOpp: '01', payments: [
                { orgEma: '01', paidOn: '2026-04-02', amount: money(inv[1].netAmount).minus(retenue(inv[1].netAmount)).toFixed(2) },
                { orgEma: '03', paidOn: '2026-04-02', amount: retenue(inv[1].netAmount) },
              ] }],
            },
            { idPce: 3, etatPce: '05', lines: [{ idLigne: 1, mtHt: inv[2].netAmount, cessOpp: '02', payments: [{ orgEma: '01', paidOn: '2026-04-20', amount: money(inv[2].netAmount).minus(opposed).toFixed(2) }] }] },
            { idPce: 4, etatPce: '02', dtePcePec: '2026-04-01', lines: [{ idLigne: 1, mtHt: inv[3].netAmount }] },
            { idPce: 77, etatPce: '02', lines: [{ idLigne: 1, mtHt: '10.00' }] },
          ],
        },
      ],
    });
    expect(retourBuffer.toString('latin1')).toContain('encoding="ISO-8859-1"');
    expect(await validateRetour(retourBuffer.toString('latin1'))).toEqual([]);
    const file = join(out, 'retour.xml');
    writeFileSync(file, retourBuffer);
    const cli = await runCliInProcess(t.app, ['pes', 'retour', file, '--json']);
    expect(cli.exitCode).toBe(0);
    const r = JSON.parse(cli.lines.at(-1)!);
    expect(r).toMatchObject({ budget: BUDGET, paidInvoices: 3, alreadyApplied: false });
    expect(r.unknown).toEqual([{ year: 2026, bordereau: 2, idPce: 77, etatPce: '02' }]);
    expect(r.mandats.find((m: any) => m.mandat === mandats[2]).lines[0]).toMatchObject({ cessOpp: '02', cessOppLabel: 'Cession-opposition partielle' });

    for (const i of [0, 1, 2]) expect(await statusOf(inv[i].id)).toBe('MISE_EN_PAIEMENT');
    expect(await statusOf(inv[3].id)).toBe('MANDATEE');
    const [h] = await rows(
      `SELECT actor, step, details FROM invoice_history WHERE invoice_id = $1 AND to_status = 'MISE_EN_PAIEMENT' AND from_status = 'MANDATEE'`,
      [inv[1].id],
    );
    expect(h).toMatchObject({ actor: 'Hélios', step: 'PAYMENT' });
    expect(h.details).toMatchObject({ source: 'HELIOS', paidOn: '2026-04-02', amount: money(inv[1].netAmount).minus(retenue(inv[1].netAmount)).toFixed(2), mandat: mandats[1], bordereau: '2026-2' });
    // Comptable sous Hélios (default): Hélios tells Chorus Pro, Passerelle pushes no MISE_EN_PAIEMENT.
    for (const i of [0, 1, 2]) expect(await outbox(inv[i].id)).toEqual(['MANDATEE']);
    const sent = (await agent.get(`/api/pes/depense?budget=${BUDGET}`)).body.sent as any[];
    expect(sent.find((s) => s.mandateNumber === mandats[3] && s.bordereauNumber === 2).state).toBe('PRIS_EN_CHARGE');
    expect(sent.find((s) => s.mandateNumber === mandats[0] && s.bordereauNumber === 2).state).toBe('SOLDE');

    // The same file again changes nothing.
    const again = await t.app.get(DepenseRetourService).apply(retourBuffer);
    expect(again).toMatchObject({ alreadyApplied: true, paidInvoices: 0 });
  });

  it('explains a « virement reçu »: full payment, retenue de garantie, opposition, and what nothing explains', async () => {
    const explain = (amount: string, date: string, supplier?: string) =>
      agent.get(`/api/payments/explain?montant=${encodeURIComponent(amount)}&date=${date}${supplier ? `&fournisseur=${supplier}` : ''}`);
    const fr = (x: string) => x.replace('.', ',');

    const full = (await explain(fr(inv[0].netAmount), '2026-04-02')).body;
    expect(full.matches).toHaveLength(1);
    expect(full.matches[0]).toMatchObject({ exact: true, paidOn: '2026-04-01' });
    expect(full.matches[0].invoices).toEqual([expect.objectContaining({ invoiceNumber: inv[0].number, netAmount: inv[0].netAmount, paidHere: inv[0].netAmount, gap: '0.00', lines: [] })]);

    const paid2 = money(inv[1].netAmount).minus(retenue(inv[1].netAmount)).toFixed(2);
    const rg = (await explain(fr(paid2), '2026-04-03')).body;
    expect(rg.matches[0].invoices[0]).toMatchObject({ invoiceNumber: inv[1].number, gap: retenue(inv[1].netAmount) });
    expect(rg.matches[0].invoices[0].lines).toEqual([expect.objectContaining({ kind: 'RETENUE_GARANTIE', amount: retenue(inv[1].netAmount), label: expect.stringContaining('Retenue de garantie') })]);

    const paid3 = money(inv[2].netAmount).minus(opposed).toFixed(2);
    const [{ s: structureId }] = await rows(`SELECT structure_id AS s FROM invoices WHERE id = $1`, [inv[2].id]);
    const opp = await t.app.get(PaymentsExplainService).explain([structureId], { amount: fr(paid3), date: '2026-04-21' });
    // Paid after its due date: the intérêts moratoires are said to be paid apart (a note, no amount).
    expect(opp.matches[0].invoices[0].lines).toEqual([
      expect.objectContaining({ kind: 'CESSION_OPPOSITION', amount: opposed, label: expect.stringContaining('Cession ou opposition partielle') }),
      expect.objectContaining({ kind: 'INTERETS_MORATOIRES', amount: null, label: expect.stringContaining('intérêts moratoires') }),
    ]);

    // A transfer no known payment adds up to: the nearest is shown and the gap said unexplained, never guessed.
    const odd = money(inv[0].netAmount).plus('12.34').toFixed(2);
    const [{ s: supplier1 }] = await rows(`SELECT supplier_id AS s FROM invoices WHERE id = $1`, [inv[0].id]);
    const none = (await explain(fr(odd), '2026-04-01', supplier1)).body;
    expect(none.matches[0]).toMatchObject({ exact: false, difference: '12.34' });
    expect(none.message).toContain("Rien n'explique l'écart de 12,34");
    const nothing = (await explain('999,99', '2026-01-05')).body;
    expect(nothing).toMatchObject({ matches: [] });
    expect(nothing.message).toMatch(/^Aucun paiement connu d'Hélios/);
    expect((await explain('12,345', '2026-04-01')).body).toMatchObject({ code: 'PAYMENT_AMOUNT_INVALID', message: expect.stringContaining('2 décimales au plus') });

    // Another structure's user sees none of these payments.
    const other = apiAs(t, await createUserAndToken(t, { email: 'autre@ailleurs.fr', role: 'agent', structureSirets: [DEMO_STRUCTURES[1].siret] }));
    expect((await other.get(`/api/payments/explain?montant=${fr(inv[0].netAmount)}&date=2026-04-01`)).body.matches).toEqual([]);

    const cli = await runCliInProcess(t.app, ['paiements', 'expliquer', '--montant', fr(paid2), '--date', '2026-04-03']);
    expect(cli.lines.join('\n')).toContain('Retenue de garantie');
  });

  it('a later retour: several payments of one invoice and an advance recovered, explained; the second payment kept in the history', async () => {
    const net = money(inv[3].netAmount);
    const advance = net.times('0.10').toDecimalPlaces(2);
    const first = net.minus(advance).dividedBy(2).toDecimalPlaces(2);
    const second = net.minus(advance).minus(first);
    const buffer = buildDepenseRetour({
      ...header,
      nomFic: 'PESDEPRETOUR_2026_04_30',
      dteStr: '2026-04-30',
      bordereaux: [{ year: 2026, number: 2, pieces: [{ idPce: 4, etatPce: '05', lines: [{ idLigne: 1, mtHt: inv[3].netAmount, cessOpp: '01', payments: [
        { orgEma: '14', paidOn: '2026-04-15', amount: advance.toFixed(2) },
        { orgEma: '01', paidOn: '2026-04-15', amount: first.toFixed(2) },
        { orgEma: '01', paidOn: '2026-04-28', amount: second.toFixed(2) },
      ] }] }] }],
    });
    const r = await t.app.get(DepenseRetourService).apply(buffer, 'retour-2.xml');
    expect(r.mandats[0].paid.map((p) => p.outcome)).toEqual(['paid', 'recorded']);
    expect(await statusOf(inv[3].id)).toBe('MISE_EN_PAIEMENT');
    const steps = await rows(`SELECT step, details->>'paidOn' AS "paidOn", details->>'amount' AS amount FROM invoice_history WHERE invoice_id = $1 AND details->>'source' = 'HELIOS' ORDER BY id`, [inv[3].id]);
    expect(steps).toEqual([
      { step: 'PAYMENT', paidOn: '2026-04-15', amount: first.toFixed(2) },
      { step: 'HELIOS_PAYMENT', paidOn: '2026-04-28', amount: second.toFixed(2) },
    ]);
    const [{ s: structureId }] = await rows(`SELECT structure_id AS s FROM invoices WHERE id = $1`, [inv[3].id]);
    const e = await t.app.get(PaymentsExplainService).explain([structureId], { amount: second.toFixed(2).replace('.', ','), date: '2026-04-29' });
    const lines = e.matches[0].invoices[0].lines;
    expect(e.matches[0].invoices[0]).toMatchObject({ invoiceNumber: inv[3].number, paidHere: second.toFixed(2), gap: net.minus(second).toFixed(2) });
    expect(lines.filter((l) => l.kind !== 'INTERETS_MORATOIRES')).toEqual([
      expect.objectContaining({ kind: 'AVANCE', amount: advance.toFixed(2), label: expect.stringContaining('Avance récupérée') }),
      expect.objectContaining({ kind: 'AUTRE_PAIEMENT', amount: first.toFixed(2), label: expect.stringContaining('15/04/2026') }),
    ]);
    expect(lines.some((l) => l.kind === 'INEXPLIQUE')).toBe(false);
  });

  it('comptable sous Hélios: the trésorier’s « Mise en paiement » is recorded without an outbox row; not under Hélios, it is pushed', async () => {
    const helios = DEMO_STRUCTURES[0].siret;
    const plain = DEMO_STRUCTURES[2].siret;
    const admin = apiAs(t, await createUserAndToken(t, { email: 'admin@saint-aubin.fr', role: 'admin', structureSirets: [helios, plain] }));
    const tres = apiAs(t, await createUserAndToken(t, { email: 'tresorier@dgfip.fr', role: 'tresorier', structureSirets: [helios, plain] }));
    expect((await admin.post(`/api/structures/${plain}/helios`, { heliosComptable: false })).body.heliosComptable).toBe(false);
    expect((await admin.get(`/api/structures/${helios}`)).body.heliosComptable).toBe(true);
    for (const [siret, pushed] of [[helios, false], [plain, true]] as const) {
      const x = await createInvoice(t, { structureSiret: siret, netAmount: '100.00' });
      expect((await admin.post(`/api/invoices/${x.id}/mandate`, { imputations: [{ article: '6064' }] })).status).toBe(200);
      expect((await tres.post(`/api/invoices/${x.id}/payment`)).body.status).toBe('MISE_EN_PAIEMENT');
      expect(await outbox(x.id)).toEqual(pushed ? ['MANDATEE', 'MISE_EN_PAIEMENT'] : ['MANDATEE']);
      const history = (await admin.get(`/api/invoices/${x.id}/history`)).body as any[];
      expect(history.map((s) => s.label)).toContain('Mise en paiement');
    }
    const cli = await runCliInProcess(t.app, ['structures', 'set-helios', '--siret', plain, '--comptable-helios', 'oui']);
    expect(cli.lines.join('\n')).toContain('Comptable sous Hélios');
    expect((await admin.get(`/api/structures/${plain}`)).body.heliosComptable).toBe(true);
  });
});
