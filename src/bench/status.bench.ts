import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { createAppContext } from '@/app.bootstrap';
import { arg, benchDatabase, benchDir, line } from '@/bench/bench.support';
import { startSimulator } from '@/chorus-pro/simulator/simulator.server';
import { loadConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructuresService } from '@/structures/structures.service';
import { CppFactureStatutItem, CppStatutEnvelope, writeCppStatutFile } from '@/status-return/cpp-statut.writer';
import { StatusFlowWriterService } from '@/status-return/status-flow-writer.service';
import { StatusPushService } from '@/status-return/status-push.service';

/**
 * Issue 5 targets: 10,000 pending statuses pushed to the simulator at --rate 20 → calls/s ≥ 18 with no 429;
 * the same count written as one CPPStatut file → ≤ 2× xmlbuilder2's bare serialisation of the same document.
 */
export async function statusBench(args: string[]): Promise<void> {
  const count = arg(args, 'count', 10_000);
  const rate = arg(args, 'rate', 20);
  const concurrency = arg(args, 'concurrency', 4);
  const dir = benchDir('status');
  const sim = await startSimulator({ structures: 1, invoices: 0, rate });
  const db = await benchDatabase();
  const config = loadConfig(
    { ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PASSERELLE_SECRET_KEY: 'bench-secret-key-0123456789abcdef' },
    {
      chorusPro: { apiUrl: sim.apiUrl, tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, callsPerSecond: rate },
      statusReturn: { concurrency, batchSize: 200 },
    },
  );
  const app = await createAppContext({ config, database: db.target });
  let result: Record<string, unknown> = {};
  try {
    const s = sim.state.structures[0];
    const structures = app.get(StructuresService);
    await structures.upsert({ siret: s.siret, name: s.name });
    await structures.setTechnicalAccount(s.siret, s.login, s.password);
    const simInvoices = sim.state.addInvoices(count, { structure: s });
    for (const i of simInvoices) i.cadre = 'A1';
    process.stdout.write(`${count} statuts SERVICE_FAIT en attente, simulateur à ${rate} appels/s…\n`);
    await seedOutbox(app.get(UnitOfWork), s.siret, simInvoices.map((i) => i.idFacture));

    // 1. Mode api.
    const before = sim.state.stats.calls['factures/v1/traiter/recue'] ?? 0;
    const t0 = Date.now();
    const summary = await app.get(StatusPushService).push();
    const seconds = (Date.now() - t0) / 1000;
    const calls = (sim.state.stats.calls['factures/v1/traiter/recue'] ?? 0) - before;
    const perSecond = calls / seconds;
    line('Statuts envoyés', `${summary.sent} (déjà présents ${summary.alreadyThere}, erreurs ${summary.failed}, en attente ${summary.pending})`);
    line('Durée', `${seconds.toFixed(1)} s`);
    line('Appels traiter/recue par seconde (cible ≥ 18)', `${perSecond.toFixed(2)} ${perSecond >= 18 ? 'OK' : 'KO'}`);
    line('Réponses 429 (cible 0)', `${sim.state.stats.rejected429} ${sim.state.stats.rejected429 === 0 ? 'OK' : 'KO'}`);

    // 2. Mode file: the writer alone against xmlbuilder2's bare serialisation of the same document.
    const envelope: CppStatutEnvelope = { idFlx: '0000000001', dtPrd: '2026-03-02', senderId: 'PASSRL', senderLabel: 'Passerelle', receiverId: 'CPP0001', receiverLabel: 'Chorus Pro' };
    const items = syntheticItems(count);
    const best = (f: () => Promise<void> | void) => timeBest(f, 5);
    const ours = await best(() => writeCppStatutFile(join(dir, 'ours.xml'), envelope, items).then(() => undefined));
    const theirs = await best(() => {
      xmlbuilder2Document(envelope, items);
    });
    const ratio = ours / theirs;
    line('Écriture CPPStatut (fichier, fsync)', `${ours.toFixed(1)} ms`);
    line('xmlbuilder2 (construction + sérialisation)', `${theirs.toFixed(1)} ms`);
    line('Rapport (cible ≤ 2×)', `${ratio.toFixed(2)}× ${ratio <= 2 ? 'OK' : 'KO'}`);

    // 3. The whole generation from the outbox (database included), for information.
    await app.get(UnitOfWork).run((em) => em.query(`UPDATE structures SET return_mode = 'file'`));
    await app.get(UnitOfWork).run((em) => em.query(`UPDATE status_outbox SET state = 'pending', sent_via = NULL, sent_at = NULL`));
    const g0 = Date.now();
    const generated = await app.get(StatusFlowWriterService).generate({ outDir: join(dir, 'flows'), actor: 'bench' });
    const generateMs = Date.now() - g0;
    line('status-flow generate depuis la base', `${generated.statuses} statuts en ${generateMs} ms`);
    result = {
      bench: 'status',
      count,
      rate,
      sent: summary.sent,
      callsPerSecond: Number(perSecond.toFixed(2)),
      http429: sim.state.stats.rejected429,
      writerMs: Number(ours.toFixed(1)),
      xmlbuilder2Ms: Number(theirs.toFixed(1)),
      ratio: Number(ratio.toFixed(2)),
      generateMs,
    };
  } finally {
    await app.close();
    await sim.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function seedOutbox(uow: UnitOfWork, siret: string, idsFacture: number[]): Promise<void> {
  await uow.run(async (em) => {
    const [structure] = await em.query(`SELECT id FROM structures WHERE siret = $1`, [siret]);
    const [flow] = await em.query(
      `INSERT INTO flows (sha256, file_name, source, size, storage_key, status, invoice_count)
       VALUES (repeat('b', 64), 'bench.xml', 'cli', 1, repeat('b', 64), 'integrated', $1) RETURNING id`,
      [idsFacture.length],
    );
    await em.query(
      `INSERT INTO invoices (flow_id, num_ordre, structure_id, supplier_id_type, supplier_id, supplier_name, supplier_country, debtor_id_type,
                             debtor_id, number, invoice_year, cpro_id, type, cadre, issue_date, reception_date, amount_ht, amount_ttc, net_amount)
       SELECT $1, n, $2, '1', '44306184100047', 'SARL Fournisseur', 'FR', '1', $3, 'B-' || n, 2026, c, '380', 'A1', '2026-02-27', '2026-03-02', 100, 120, 120
         FROM unnest($4::varchar[]) WITH ORDINALITY AS x(c, n)`,
      [flow.id, structure.id, siret, idsFacture.map(String)],
    );
    await em.query(
      `INSERT INTO status_outbox (invoice_id, structure_id, target_status, next_attempt_at, created_at)
       SELECT id, structure_id, 'SERVICE_FAIT', now() - interval '1 minute', now() FROM invoices WHERE flow_id = $1 ORDER BY num_ordre`,
      [flow.id],
    );
  });
}

function syntheticItems(count: number): CppFactureStatutItem[] {
  return Array.from({ length: count }, (_, k) => ({
    supplier: { idType: '1', id: '44306184100047', name: 'SARL Fournisseur & Fils', country: 'FR' },
    debtor: { id: '21930053000017', name: 'Commune de Montreuil', serviceCode: 'FINANCES', serviceName: 'Service des finances' },
    idStatut: k % 3 === 0 ? '05' : '07',
    complement: k % 3 === 0 ? 'Rejetée' : 'Service fait',
    comment: k % 3 === 0 ? 'Montant erroné : la facture ne correspond pas au bon de commande' : null,
    timestamp: new Date(Date.UTC(2026, 2, 2, 9, 0, k % 60)).toISOString(),
    idFacture: `F2026-${String(k + 1).padStart(6, '0')}`,
    dateFacture: '2026-02-27',
    idMandatDP: null,
  }));
}

/** The same document built with xmlbuilder2 and serialised (no file): the reference of the target. */
function xmlbuilder2Document(envelope: CppStatutEnvelope, items: CppFactureStatutItem[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('CPPStatut', { Version: 'V1_19' });
  const unit = root.ele('Enveloppe').ele('EnveloppeUnitaire', { NumOrdre: '1' });
  const params = unit.ele('Parametres');
  params.ele('ParametreIndiv', { NumOrdre: '0001' }).ele('Code').txt('DtPrd').up().ele('Valeurparametre').txt(envelope.dtPrd);
  params.ele('ParametreIndiv', { NumOrdre: '0002' }).ele('Code').txt('IdFlx').up().ele('Valeurparametre').txt(envelope.idFlx);
  const partners = unit.ele('Partenaires');
  partners.ele('Recepteur').ele('Id').txt(envelope.receiverId).up().ele('Libelle').txt(envelope.receiverLabel ?? '');
  partners.ele('Emetteur').ele('Id').txt(envelope.senderId).up().ele('Libelle').txt(envelope.senderLabel ?? '');
  const statuses = root.ele('CPPFactureStatuts', { compteur: String(items.length) });
  items.forEach((item, k) => {
    const u = statuses.ele('CPPFactureStatutUnitaire', { NumOrdre: String(k + 1) });
    const f = u.ele('Fournisseur');
    f.ele('TypeIdentifiant').txt(item.supplier.idType);
    f.ele('Identifiant').txt(item.supplier.id);
    f.ele('RaisonSociale').txt(item.supplier.name);
    if (item.supplier.country) f.ele('CodePays').txt(item.supplier.country);
    const d = u.ele('Debiteur');
    d.ele('TypeIdentifiant').txt('1');
    d.ele('Identifiant').txt(item.debtor.id);
    if (item.debtor.name) d.ele('Nom').txt(item.debtor.name);
    if (item.debtor.serviceCode) d.ele('CodeService').txt(item.debtor.serviceCode);
    if (item.debtor.serviceName) d.ele('NomService').txt(item.debtor.serviceName);
    const s = u.ele('DonneesStatut');
    s.ele('IdStatut').txt(item.idStatut);
    if (item.complement) s.ele('ComplementStatut').txt(item.complement);
    if (item.comment) s.ele('Commentaire').txt(item.comment);
    s.ele('Horodatage').txt(item.timestamp);
    s.ele('IdFacture').txt(item.idFacture);
    if (item.dateFacture) s.ele('DateFacture').txt(item.dateFacture);
  });
  return root.end({ prettyPrint: true });
}

async function timeBest(run: () => Promise<void> | void, times: number): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < times; k++) {
    const t0 = process.hrtime.bigint();
    await run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}
