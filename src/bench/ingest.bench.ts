import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createAppContext } from '@/app.bootstrap';
import { arg, benchDatabase, benchDir, line, mb } from '@/bench/bench.support';
import { loadConfig } from '@/config/app.config';
import { AttachmentEncoder } from '@/fixtures-generator/attachment.encoder';
import { DEMO_STRUCTURES, DEMO_SUPPLIERS } from '@/fixtures-generator/demo-structures';
import { DEFAULT_SEED, writeBulkFlows } from '@/fixtures-generator/fixtures.writer';
import { buildFlowSpec, writePivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { IngestionService } from '@/ingestion/ingestion.service';
import { StructuresService } from '@/structures/structures.service';

/**
 * Issue « Ingest Chorus Pro pivot flows » targets, on this 2-core machine:
 * - 20,000 invoices in 20 flows (20 KB attachment each) into PostgreSQL: ≥ 1,000 invoices/s end to end,
 *   and ≤ 1.5 × fast-xml-parser's parse-only time of the same files, measured in the same run;
 * - one 120 MB flow holding one large attachment: peak RSS ≤ 300 MB.
 */
export async function ingestBench(args: string[]): Promise<void> {
  const flows = arg(args, 'flows', 20);
  const perFlow = arg(args, 'invoices-per-flow', 1000);
  const attachmentKb = arg(args, 'attachment-kb', 20);
  const largeMb = arg(args, 'large-mb', 120);
  const dir = benchDir('ingest');
  try {
    process.stdout.write(`Génération de ${flows} flux × ${perFlow} factures (PJ ${attachmentKb} Ko)…\n`);
    const bulk = await writeBulkFlows({ outDir: dir, flows, invoicesPerFlow: perFlow, attachmentKb });
    line('Flux générés', `${bulk.files.length} fichiers, ${mb(bulk.bytes)}, ${bulk.invoices} factures`);

    // Reference: fast-xml-parser, parse only (no attachment decoding, no storage), same files.
    const parser = new XMLParser({ ignoreAttributes: false });
    let t0 = process.hrtime.bigint();
    for (const f of bulk.files) parser.parse(readFileSync(f, 'utf8'));
    const parseMs = Number(process.hrtime.bigint() - t0) / 1e6;

    const db = await benchDatabase();
    const dataDir = join(dir, 'data');
    const app = await createAppContext({ config: loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), database: db.target });
    try {
      for (const s of DEMO_STRUCTURES) await app.get(StructuresService).upsert(s);
      t0 = process.hrtime.bigint();
      const report = await app.get(IngestionService).importPaths(bulk.files, { source: 'cli' });
      const ingestMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const created = report.invoices.created;
      const perSecond = created / (ingestMs / 1000);
      const ratio = ingestMs / parseMs;
      line('fast-xml-parser, analyse seule', `${(parseMs / 1000).toFixed(2)} s`);
      line('Passerelle, import complet (PostgreSQL)', `${(ingestMs / 1000).toFixed(2)} s, ${created} factures créées`);
      line('Factures par seconde (cible ≥ 1 000)', `${perSecond.toFixed(0)} ${perSecond >= 1000 ? 'OK' : 'KO'}`);
      line('Ratio import / analyse seule (cible ≤ 1,5)', `${ratio.toFixed(2)} ${ratio <= 1.5 ? 'OK' : 'KO'}`);

      const large = await largeFlowPeakRss(dir, largeMb, db.target.location);
      line(`Flux de ${mb(large.bytes)} : RSS maximal (cible ≤ 300 MB)`, `${mb(large.maxRss)} ${large.maxRss <= 300 * 1024 * 1024 ? 'OK' : 'KO'}`);
      process.stdout.write(
        JSON.stringify({
          bench: 'ingest',
          invoices: created,
          parseOnlySeconds: parseMs / 1000,
          ingestSeconds: ingestMs / 1000,
          invoicesPerSecond: Math.round(perSecond),
          ratio: Number(ratio.toFixed(3)),
          largeFlowBytes: large.bytes,
          largeFlowPeakRssBytes: large.maxRss,
        }) + '\n',
      );
    } finally {
      await app.close();
      await db.drop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes one flow of about `sizeMb` with a single attachment and imports it in a fresh process, into the same
 * PostgreSQL database (the target is "into PostgreSQL"; an embedded PGlite would weigh on the measured RSS).
 */
async function largeFlowPeakRss(dir: string, sizeMb: number, databaseUrl: string): Promise<{ bytes: number; maxRss: number }> {
  // base64 inflates by 4/3: an attachment of 3/4 of the target size makes a flow of about the target size.
  const attachmentKb = Math.round((sizeMb * 1024 * 3) / 4);
  // Its own invoice numbers (and IdCPRO), clear of the bulk flows already in the database: it must be created.
  const flow = buildFlowSpec(new SeededRng(DEFAULT_SEED).fork('bench-large'), {
    index: 9_000,
    invoiceCount: 1,
    firstSequence: 9_000_000,
    attachmentBytes: attachmentKb * 1024,
    supplementaryAttachments: 0,
    structures: DEMO_STRUCTURES,
    suppliers: DEMO_SUPPLIERS,
  });
  mkdirSync(join(dir, 'large'), { recursive: true });
  const file = join(dir, 'large', 'flux-large.xml');
  const written = await writePivotFlow(file, flow, { encoder: new AttachmentEncoder(DEFAULT_SEED), indent: true });
  const out = execFileSync(process.execPath, [process.argv[1], 'ingest-large-child', file, join(dir, 'large-data'), databaseUrl], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
    maxBuffer: 10 * 1024 * 1024,
  });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { maxRss: number };
  return { bytes: written.bytes, maxRss: result.maxRss };
}

/** Child process: import one flow into the given PostgreSQL database, print the peak RSS. */
export async function ingestLargeChild(args: string[]): Promise<void> {
  const [file, dataDir, databaseUrl] = args;
  const app = await createAppContext({
    config: loadConfig({ ...process.env, DATA_DIR: dataDir }),
    database: { kind: 'postgres', location: databaseUrl },
  });
  try {
    const report = await app.get(IngestionService).importPaths([file], { source: 'cli' });
    if (report.flows.rejected > 0) throw new Error(`flux rejeté : ${JSON.stringify(report.errors)}`);
    if (report.invoices.created !== 1) throw new Error(`facture non créée : ${JSON.stringify(report)}`);
  } finally {
    await app.close();
  }
  process.stdout.write(JSON.stringify({ maxRss: peakRss() }) + '\n');
}

/**
 * Peak RSS of this process image: /proc/self/status VmHWM. getrusage's maxRSS is no good here: Linux carries the
 * pre-exec high-water mark over execve, and the forked child's pre-exec memory is the bench process's own (hundreds
 * of MB after generating the flows), so it would report the parent's size, not the import's.
 */
function peakRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS * 1024; // kilobytes
}
