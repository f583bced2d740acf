import { Client } from 'pg';
import { line } from '@/bench/bench.support';

export interface SeedOptions {
  invoices: number;
  days: number;
  /** Last day of the period (YYYY-MM-DD): the newest invoices arrive that day. */
  lastDay: string;
  structureIds: string[];
  structureSirets: string[];
  timeZone: string;
}

const CHUNK = 100_000;

/**
 * Ten years of invoices for the web bench, by SQL only (generate_series, a chunk of 100,000 rows a statement), as a
 * collectivité sees them: one flow a day carrying that day's invoices for every structure, recent invoices still to
 * process, older ones paid (a few forgotten « à traiter » and some rejected, suspended or sent back), 3 % with an
 * anomaly (and its invoice_anomalies row), unreadable invoices and rejected flows now and then, 2,000 suppliers.
 * The invoices' secondary indexes are dropped during the load and rebuilt from their own definitions (pg_indexes):
 * one sorted build is much faster than a million index insertions. Foreign keys are not checked during the load
 * (session_replication_role = replica, a superuser setting of this throwaway database): the rows are consistent by
 * construction.
 */
export async function seedInvoices(url: string, o: SeedOptions): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const started = Date.now();
  const step = async (label: string, fn: () => Promise<unknown>) => {
    const t = Date.now();
    await fn();
    line(`  ${label}`, `${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  try {
    await c.query(`SET session_replication_role = replica; SET maintenance_work_mem = '256MB'; SET synchronous_commit = off`);
    const first = `(DATE '${o.lastDay}' - ${o.days - 1})`;
    const at = (day: string, time: string) => `((${first} + ${day})::timestamp + ${time}) AT TIME ZONE '${o.timeZone}'`;
    await step(`Flux : ${o.days} (un par jour) et leurs structures`, async () => {
      await c.query(
        `INSERT INTO flows (sha256, file_name, source, size, storage_key, status, invoice_count, received_at, completed_at)
         SELECT encode(sha256(('bench-' || d)::bytea), 'hex'), 'releve-' || to_char(${first} + d, 'YYYYMMDD') || '.zip', 'pull', 1000000,
                encode(sha256(('bench-' || d)::bytea), 'hex'), 'integrated', ${Math.ceil(o.invoices / o.days)},
                ${at('d', `interval '6 hours'`)}, ${at('d', `interval '6 hours 5 minutes'`)}
           FROM generate_series(0, ${o.days - 1}) d`,
      );
      // Now and then a flow Chorus Pro would not read (rejected whole), attributed to one structure.
      await c.query(
        `INSERT INTO flows (sha256, file_name, source, size, storage_key, status, invoice_count, error_code, error_message, received_at)
         SELECT encode(sha256(('bench-rejected-' || d)::bytea), 'hex'), 'depot-' || d || '.xml', 'upload', 2000,
                encode(sha256(('bench-rejected-' || d)::bytea), 'hex'), 'rejected', 0, 'XML_INVALID', 'Fichier illisible : XML mal formé',
                ${at('d', `interval '14 hours'`)}
           FROM generate_series(3, ${o.days - 1}, 30) d`,
      );
      await c.query(
        `INSERT INTO flow_structures (flow_id, structure_id)
         SELECT f.id, s.id FROM flows f CROSS JOIN unnest($1::uuid[]) s(id) WHERE f.status = 'integrated'
         UNION ALL
         SELECT f.id, ($1::uuid[])[1 + (row_number() OVER (ORDER BY f.received_at))::int % cardinality($1::uuid[])] FROM flows f WHERE f.status = 'rejected'`,
        [o.structureIds],
      );
    });
    const indexes: Array<{ indexname: string; indexdef: string }> = (
      await c.query(
        `SELECT indexname, indexdef FROM pg_indexes
          WHERE tablename = 'invoices' AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'invoices'::regclass)`,
      )
    ).rows;
    for (const i of indexes) await c.query(`DROP INDEX ${i.indexname}`);
    const t = Date.now();
    for (let from = 1; from <= o.invoices; from += CHUNK) {
      const to = Math.min(o.invoices, from + CHUNK - 1);
      await c.query(invoiceChunkSql(o, first, at), [o.structureIds, o.structureSirets, from, to]);
      const rate = Math.round((to / (Date.now() - t)) * 1000);
      line(`  Factures insérées`, `${to.toLocaleString('fr-FR')} / ${o.invoices.toLocaleString('fr-FR')} (${rate.toLocaleString('fr-FR')}/s)`);
    }
    for (const i of indexes) await step(`Index ${i.indexname}`, () => c.query(i.indexdef));
    await step('Anomalies, historique des rejets, factures illisibles', async () => {
      await c.query(
        `INSERT INTO invoice_anomalies (invoice_id, code, message, created_at)
         SELECT i.id, i.anomaly_codes[1], CASE i.anomaly_codes[1]
                  WHEN 'UNKNOWN_SERVICE' THEN 'Service inconnu ou inactif : « TECH »'
                  WHEN 'MISSING_ENGAGEMENT' THEN 'N° d’engagement manquant (obligatoire pour ce destinataire)'
                  WHEN 'AMOUNTS_INCONSISTENT' THEN 'Montants incohérents : HT + TVA ≠ TTC'
                  ELSE 'Destinataire inconnu' END, i.received_at
           FROM invoices i WHERE cardinality(i.anomaly_codes) > 0`,
      );
      await c.query(
        `INSERT INTO invoice_history (invoice_id, step, label, actor, at, from_status, to_status, flow_id, details)
         SELECT i.id, i.status, 'Changement de statut', 'agent@bench.fr', i.received_at + interval '3 days', 'A_TRAITER', i.status, i.flow_id,
                jsonb_build_object('reason', 'Cette facture ne nous est pas destinée')
           FROM invoices i WHERE i.status IN ('REJETEE', 'SUSPENDUE', 'A_RECYCLER')`,
      );
      await c.query(
        `INSERT INTO flow_errors (flow_id, num_ordre, invoice_number, recipient_siret, code, message, created_at)
         SELECT f.id, 1, 'ILL-' || row_number() OVER (ORDER BY f.received_at), $1, 'INVOICE_UNREADABLE',
                'Facture illisible : montant « 12,3,4 » invalide', f.received_at
           FROM flows f WHERE f.status = 'integrated' AND extract(doy FROM f.received_at)::int % 7 = 0`,
        [o.structureSirets[0]],
      );
    });
    await step('ANALYZE', () => c.query(`ANALYZE`));
    line('Chargement complet', `${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await c.end();
  }
}

/**
 * One chunk of invoices g = $3..$4. Day d spreads them evenly over the period; the state follows the age, as in a
 * collectivité that keeps up: the last 30 days mostly to process, then processed, paid after three months.
 */
function invoiceChunkSql(o: SeedOptions, first: string, at: (day: string, time: string) => string): string {
  const n = o.invoices;
  return `
    INSERT INTO invoices (flow_id, num_ordre, structure_id, supplier_id_type, supplier_id, supplier_name, debtor_id_type, debtor_id,
                          number, invoice_year, cpro_id, type, cadre, issue_date, reception_date, amount_ht, amount_ttc, net_amount,
                          status, cpp_status, anomaly_codes, due_date, suspended_since, attachment_count, received_at)
    SELECT f.id, v.g, CASE WHEN v.unknown THEN NULL ELSE ($1::uuid[])[v.s] END, '1', '3' || lpad(v.sup::text, 13, '0'),
           (ARRAY['Boulangerie','Garage','Papeterie','Bâtiment','Transports','Informatique','Restauration','Nettoyage'])[1 + v.sup % 8] || ' '
             || (ARRAY['Durand','Martin','Bernard','Petit','Robert','Richard','Moreau','Laurent','Simon','Michel'])[1 + (v.sup / 8) % 10] || ' ' || v.sup,
           '1', CASE WHEN v.unknown THEN '21990000000019' ELSE ($2::text[])[v.s] END,
           'F' || v.g, extract(year FROM v.rd)::int, 'BENCH' || v.g, CASE WHEN v.g % 25 = 0 THEN '381' ELSE '380' END, 'A1',
           v.rd - 3, v.rd, round(v.net / 1.2, 2), v.net, v.net, v.status, 'MISE_A_DISPOSITION',
           CASE WHEN v.unknown THEN ARRAY['UNKNOWN_RECIPIENT']
                WHEN v.ha < 30 THEN ARRAY[(ARRAY['UNKNOWN_SERVICE','MISSING_ENGAGEMENT','AMOUNTS_INCONSISTENT'])[1 + v.ha % 3]]
                ELSE '{}'::text[] END,
           CASE WHEN v.g % 20 = 0 THEN NULL ELSE v.rd + 30 END,
           CASE WHEN v.status = 'SUSPENDUE' THEN v.ra + interval '2 days' END, 1 + v.g % 3, v.ra
      FROM (
        SELECT q.g, q.d, ${first} + q.d AS rd, ${at('q.d', `make_interval(secs => 21600 + (q.g % 43200))`)} AS ra,
               ${o.days - 1} - q.d AS age, 1 + q.g % ${o.structureIds.length} AS s, q.g % 5000 = 0 AS unknown,
               (q.g::bigint * 40503 % 1000)::int AS ha,
               (q.g::bigint * 7919 % 2000)::int AS sup, round(((q.g::bigint * 104729) % 4999000 + 1000) / 100.0, 2) AS net,
               CASE
                 WHEN ${o.days - 1} - q.d <= 30 THEN CASE WHEN (q.g::bigint * 2654435761 % 1000) < 550 THEN 'A_TRAITER'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 700 THEN 'FACTUREE' WHEN (q.g::bigint * 2654435761 % 1000) < 800 THEN 'SERVICE_FAIT'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 850 THEN 'MANDATEE' WHEN (q.g::bigint * 2654435761 % 1000) < 900 THEN 'REJETEE'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 950 THEN 'SUSPENDUE' ELSE 'A_RECYCLER' END
                 WHEN ${o.days - 1} - q.d <= 90 THEN CASE WHEN (q.g::bigint * 2654435761 % 1000) < 50 THEN 'A_TRAITER'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 150 THEN 'FACTUREE' WHEN (q.g::bigint * 2654435761 % 1000) < 300 THEN 'SERVICE_FAIT'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 550 THEN 'MANDATEE' WHEN (q.g::bigint * 2654435761 % 1000) < 900 THEN 'MISE_EN_PAIEMENT'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 950 THEN 'REJETEE' WHEN (q.g::bigint * 2654435761 % 1000) < 975 THEN 'SUSPENDUE'
                   ELSE 'A_RECYCLER' END
                 ELSE CASE WHEN (q.g::bigint * 2654435761 % 1000) < 2 THEN 'A_TRAITER'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 20 THEN 'MANDATEE' WHEN (q.g::bigint * 2654435761 % 1000) < 940 THEN 'MISE_EN_PAIEMENT'
                   WHEN (q.g::bigint * 2654435761 % 1000) < 990 THEN 'REJETEE' WHEN (q.g::bigint * 2654435761 % 1000) < 995 THEN 'SUSPENDUE'
                   ELSE 'A_RECYCLER' END
               END AS status
          FROM (SELECT g, ((g - 1)::bigint * ${o.days} / ${n})::int AS d FROM generate_series($3::int, $4::int) g) q
      ) v
      JOIN flows f ON f.status = 'integrated' AND f.file_name = 'releve-' || to_char(v.rd, 'YYYYMMDD') || '.zip'`;
}
