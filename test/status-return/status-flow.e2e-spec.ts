import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { UnitOfWork } from '@/database/unit-of-work';
import { readCppStatut } from '@/status-return/cpp-statut.reader';
import { validateWithXsd } from '@/status-return/cpp-statut.schema';
import { StatusFlowWriterService } from '@/status-return/status-flow-writer.service';
import { StatusFlowsRepository } from '@/status-return/status-flows.repository';
import { testSiret } from '@test/support/auth';
import { createOutboxInvoices, outboxRows } from '@test/support/outbox.factory';
import { describeWithReference, sharedPath } from '@test/support/shared';
import { createTestApp, TestApp } from '@test/support/test-app';

let XSD = '';

function unzipEntries(path: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, string>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

describeWithReference('CPPStatut flow generation (mode file)', () => {
  let t: TestApp;
  let out: string;
  let writer: StatusFlowWriterService;
  const siretA = testSiret(501);
  const siretB = testSiret(502);

  beforeAll(async () => {
    XSD = readFileSync(sharedPath('reference', 'chorus-pro', 'pastell', 'xsd-pivot', 'CPPStatutPivot_V1_19.xsd'), 'utf8');
    t = await createTestApp();
    writer = t.app.get(StatusFlowWriterService);
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'cppstatut-out-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('writes every pending status as one XSD-valid flow per structure, then marks the rows sent with their history', async () => {
    const a = await createOutboxInvoices(t, siretA, [
      { statuses: [{ status: 'REJETEE', reason: 'Doublon <facture> & "copie"' }] },
      { statuses: [{ status: 'SUSPENDUE', reason: 'Pièce justificative manquante' }] },
      { statuses: [{ status: 'SERVICE_FAIT' }, { status: 'MANDATEE', mandateNumber: 'M2026-000042' }] },
      { statuses: [{ status: 'A_RECYCLER' }, { status: 'MISE_EN_PAIEMENT' }] },
    ]);
    await createOutboxInvoices(t, siretB, [{ statuses: [{ status: 'REJETEE', reason: 'Cette facture ne nous est pas destinée' }] }]);

    const result = await writer.generate({ outDir: out, actor: 'test' });
    expect(result.statuses).toBe(7);
    expect(result.files).toHaveLength(2);
    expect(readdirSync(out).sort()).toEqual(result.files.map((f) => f.split('/').pop()).sort());
    for (const file of result.files) {
      const xml = readFileSync(file, 'utf8');
      expect(await validateWithXsd(xml, XSD)).toEqual([]);
    }
    const fileA = result.files.find((f) => f.includes(siretA)) as string;
    const read = readCppStatut(readFileSync(fileA, 'utf8'));
    if (read.kind !== 'factures') throw new Error(read.kind);
    expect(read.statuses.map((s) => [s.idFacture, s.idStatut])).toEqual([
      [a[0].number, '05'],
      [a[1].number, '06'],
      [a[2].number, '07'],
      [a[2].number, '08'],
      [a[3].number, '04'],
      [a[3].number, '11'],
    ]);
    expect(read.statuses[0].comment).toBe('Doublon <facture> & "copie"');
    expect(read.statuses[3].idMandatDP).toBe('M2026-000042');
    expect(read.statuses[0].debtor.id).toBe(siretA);
    expect(read.statuses[0].dateFacture).toBe('2026-02-27');
    expect(read.envelope.idFlx).toMatch(/^\d{10}$/);

    const rows = await outboxRows(t);
    expect(rows.every((r) => r.state === 'sent' && r.sentVia === 'file' && r.statusFlowId)).toBe(true);
    const flows = await t.app.get(StatusFlowsRepository).list({ direction: 'out', structureIds: 'all', includeUnassigned: true, limit: 10 });
    expect(flows.map((f) => f.statusCount).sort()).toEqual([1, 6]);
    expect(new Set(flows.map((f) => f.idFlx)).size).toBe(2);
    const carried = await t.app.get(StatusFlowsRepository).carried(flows.find((f) => f.statusCount === 6)!.id);
    expect(carried.map((c) => c.targetStatus)).toEqual(['REJETEE', 'SUSPENDUE', 'SERVICE_FAIT', 'MANDATEE', 'A_RECYCLER', 'MISE_EN_PAIEMENT']);
    const history = await t.app.get(UnitOfWork).dataSource.query(`SELECT count(*)::int AS n FROM invoice_history WHERE step = 'STATUS_FILE'`);
    expect(Number(history[0].n)).toBe(7);

    // Nothing is written twice.
    const again = await writer.generate({ outDir: out, actor: 'test' });
    expect(again).toMatchObject({ statuses: 0, files: [] });
  });

  it('filters one status or one invoice without breaking the per-invoice order', async () => {
    const [first, second, third] = await createOutboxInvoices(t, siretA, [
      { statuses: [{ status: 'SERVICE_FAIT' }, { status: 'REJETEE', reason: 'Montant erroné' }] },
      { statuses: [{ status: 'REJETEE', reason: 'Montant erroné' }] },
      { statuses: [{ status: 'SUSPENDUE', reason: 'RIB absent' }] },
    ]);
    const onlyRejections = await writer.generate({ outDir: out, actor: 'test', status: '05' });
    // The first invoice's REJETEE waits for its SERVICE_FAIT: only the second invoice's goes.
    expect(onlyRejections.statuses).toBe(1);
    const rows = await outboxRows(t);
    const state = (id: number) => rows.find((r) => r.id === id)?.state;
    expect(state(second.outboxIds[0])).toBe('sent');
    expect(state(first.outboxIds[1])).toBe('pending');

    const oneInvoice = await writer.generate({ outDir: out, actor: 'test', invoice: third.number });
    expect(oneInvoice.statuses).toBe(1);
    expect((await outboxRows(t)).find((r) => r.id === third.outboxIds[0])?.state).toBe('sent');

    const rest = await writer.generate({ outDir: out, actor: 'test', invoice: first.invoiceId });
    expect(rest.statuses).toBe(2);
  });

  it('puts several files in one ZIP on request, each valid', async () => {
    await createOutboxInvoices(t, siretA, [{ statuses: [{ status: 'SERVICE_FAIT' }] }]);
    await createOutboxInvoices(t, siretB, [{ statuses: [{ status: 'SERVICE_FAIT' }] }]);
    const result = await writer.generate({ outDir: out, actor: 'test', zip: true });
    expect(result.files).toHaveLength(1);
    expect(result.files[0]).toMatch(/\.zip$/);
    expect(readdirSync(out)).toEqual([result.files[0].split('/').pop()]);
    const entries = await unzipEntries(result.files[0]);
    expect(entries.size).toBe(2);
    for (const xml of entries.values()) expect(await validateWithXsd(xml, XSD)).toEqual([]);
  });

  it('fails (for the staff) a status that cannot be written validly, and keeps the invoice’s next ones waiting', async () => {
    const [bad] = await createOutboxInvoices(t, null, [{ debtorId: '123', statuses: [{ status: 'REJETEE', reason: 'x' }, { status: 'SERVICE_FAIT' }] }]);
    const [unassigned] = await createOutboxInvoices(t, null, [{ debtorId: '21930053000017', statuses: [{ status: 'REJETEE', reason: 'Destinataire inconnu' }] }]);
    const result = await writer.generate({ outDir: out, actor: 'test' });
    expect(result.statuses).toBe(1);
    expect(result.failed).toHaveLength(1);
    const rows = await outboxRows(t);
    expect(rows.find((r) => r.id === bad.outboxIds[0])).toMatchObject({ state: 'failed', errorCode: 'NOT_REPRESENTABLE' });
    expect(rows.find((r) => r.id === bad.outboxIds[1])?.state).toBe('pending');
    expect(rows.find((r) => r.id === unassigned.outboxIds[0])?.state).toBe('sent');
    const history = await t.app.get(UnitOfWork).dataSource.query(
      `SELECT label FROM invoice_history WHERE invoice_id = $1 AND step = 'STATUS_RETURN_ERROR'`,
      [bad.invoiceId],
    );
    expect(history).toEqual([{ label: 'Retour Chorus Pro en erreur' }]);
    expect(await validateWithXsd(readFileSync(result.files[0], 'utf8'), XSD)).toEqual([]);
  });

  it('leaves the rows pending when the file cannot be written', async () => {
    const [inv] = await createOutboxInvoices(t, siretA, [{ statuses: [{ status: 'SERVICE_FAIT' }] }]);
    const blocker = join(out, 'not-a-dir');
    writeFileSync(blocker, 'x');
    await expect(writer.generate({ outDir: join(blocker, 'sub'), actor: 'test' })).rejects.toThrow();
    expect((await outboxRows(t)).find((r) => r.id === inv.outboxIds[0])?.state).toBe('pending');
    await writer.generate({ outDir: out, actor: 'test' });
  });
});
