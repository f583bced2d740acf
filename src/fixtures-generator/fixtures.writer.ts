import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AttachmentEncoder } from '@/fixtures-generator/attachment.encoder';
import { BadCaseFile, buildBadCases } from '@/fixtures-generator/bad-cases.fixtures';
import { DEMO_STRUCTURES, DEMO_SUPPLIERS, structuresJson } from '@/fixtures-generator/demo-structures';
import { buildGoodFlows, FixtureFlow } from '@/fixtures-generator/good-flows.fixtures';
import { buildFlowSpec, PivotEncoding, renderPivotFlow, writePivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';

// Writes the committed fixture set (fixtures/) and the bulk flows of the benchmark.

export const DEFAULT_SEED = 20250314;

export interface FixtureSetResult {
  files: string[];
  bytes: number;
}

/** Recreates `outDir`/pivot, `outDir`/pivot-bad, structures.json, manifest.json and README.md. */
export async function writeFixtureSet(outDir: string, seed = DEFAULT_SEED): Promise<FixtureSetResult> {
  const encoder = new AttachmentEncoder(seed);
  const goodFlows = buildGoodFlows(seed);
  const badCases = buildBadCases({ seed, goodFlows, encoder });
  const files: Array<{ path: string; bytes: Buffer }> = [];

  for (const good of goodFlows) files.push({ path: join('pivot', good.fileName), bytes: renderPivotFlow(good.flow, { encoder }) });
  for (const bad of badCases) files.push({ path: join('pivot-bad', bad.fileName), bytes: bad.bytes });
  files.push({ path: 'structures.json', bytes: Buffer.from(structuresJson(DEMO_STRUCTURES), 'utf8') });
  files.push({ path: 'manifest.json', bytes: Buffer.from(manifestJson(seed, goodFlows, badCases), 'utf8') });
  files.push({ path: 'README.md', bytes: Buffer.from(readme(seed, goodFlows, badCases), 'utf8') });
  // Byte-exact files (ISO-8859-1 flow, ZIP, truncated XML): git must never convert line endings.
  files.push({ path: '.gitattributes', bytes: Buffer.from('pivot/** -text\npivot-bad/** -text\n', 'utf8') });

  // Stale files of a former run (renamed scenario) must not linger among the committed fixtures.
  await rm(join(outDir, 'pivot'), { recursive: true, force: true });
  await rm(join(outDir, 'pivot-bad'), { recursive: true, force: true });
  await mkdir(join(outDir, 'pivot'), { recursive: true });
  await mkdir(join(outDir, 'pivot-bad'), { recursive: true });
  for (const f of files) await writeFile(join(outDir, f.path), f.bytes);
  return { files: files.map((f) => f.path), bytes: files.reduce((n, f) => n + f.bytes.length, 0) };
}

export interface BulkOptions {
  outDir: string;
  seed?: number;
  flows: number;
  invoicesPerFlow: number;
  /** Size of each invoice PDF (before zip + base64), in KiB. */
  attachmentKb: number;
  /** Type 02 attachments per invoice (default 0, so sizes stay predictable). */
  supplementaryAttachments?: number;
  encoding?: PivotEncoding;
  onFlowWritten?: (file: string, index: number, bytes: number) => void;
}

export interface BulkResult {
  files: string[];
  bytes: number;
  invoices: number;
  elapsedMs: number;
}

/** First flow index and invoice sequence of bulk flows: clear of the committed set's IdFlx, numbers and IdCPRO. */
const BULK_FLOW_INDEX = 1000;
const BULK_SEQUENCE_BASE = 1_000_000;

/** `flows` files of `invoicesPerFlow` invoices in `outDir`/pivot-bulk (plus structures.json), streamed one by one. */
export async function writeBulkFlows(options: BulkOptions): Promise<BulkResult> {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const dir = join(options.outDir, 'pivot-bulk');
  await mkdir(dir, { recursive: true });
  for (const old of await readdir(dir)) if (/^flux-bulk-\d+\.xml$/.test(old)) await rm(join(dir, old));
  await writeFile(join(options.outDir, 'structures.json'), structuresJson(DEMO_STRUCTURES));
  const encoder = new AttachmentEncoder(seed);
  const root = new SeededRng(seed);
  const result: BulkResult = { files: [], bytes: 0, invoices: 0, elapsedMs: 0 };
  for (let n = 1; n <= options.flows; n++) {
    const flow = buildFlowSpec(root.fork(`bulk-${n}`), {
      index: BULK_FLOW_INDEX + n,
      invoiceCount: options.invoicesPerFlow,
      firstSequence: BULK_SEQUENCE_BASE + (n - 1) * options.invoicesPerFlow,
      attachmentBytes: Math.round(options.attachmentKb * 1024),
      supplementaryAttachments: options.supplementaryAttachments ?? 0,
      structures: DEMO_STRUCTURES,
      suppliers: DEMO_SUPPLIERS,
    });
    const file = join(dir, `flux-bulk-${String(n).padStart(4, '0')}.xml`);
    const written = await writePivotFlow(file, flow, { encoder, encoding: options.encoding, indent: true });
    result.files.push(file);
    result.bytes += written.bytes;
    result.invoices += written.invoices;
    options.onFlowWritten?.(file, n, written.bytes);
  }
  result.elapsedMs = Date.now() - started;
  return result;
}

// ---------------------------------------------------------------------------------------------------------------

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function manifestJson(seed: number, goodFlows: FixtureFlow[], badCases: BadCaseFile[]): string {
  const manifest = {
    generatedBy: 'npm run fixtures',
    seed,
    good: goodFlows.map((g) => ({
      file: `pivot/${g.fileName}`,
      idFlx: g.flow.idFlx,
      dtPrd: g.flow.dtPrd,
      invoices: g.flow.invoices.map((inv) => ({
        number: inv.number,
        cproId: inv.cproId,
        type: inv.type,
        originInvoiceNumber: inv.originInvoiceNumber,
        supplierSiret: inv.supplier.id,
        debtorSiret: inv.debtor.id,
        serviceCode: inv.debtor.serviceCode,
        ht: inv.amounts.ht,
        ttc: inv.amounts.ttc,
        netToPay: inv.amounts.netToPay,
        attachments: inv.attachments.map((a) => ({ name: a.name, type: a.type })),
      })),
    })),
    bad: badCases.map(({ bytes, ...scenario }) => ({ file: `pivot-bad/${scenario.fileName}`, ...scenario, size: bytes.length, sha256: sha256(bytes) })),
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function readme(seed: number, goodFlows: FixtureFlow[], badCases: BadCaseFile[]): string {
  const out: string[] = [];
  out.push('# Jeux d’essai Chorus Pro (flux pivot `CPPFacturePivot` V2_02)');
  out.push('');
  out.push(
    `Fichiers **générés** par \`npm run fixtures\` (graine ${seed}, générateur \`src/fixtures-generator/\`) : ne pas les modifier à la main, relancer la commande. Toutes les données sont fictives (SIRET, IBAN et clés RIB calculés valides).`,
  );
  out.push('');
  out.push('- `structures.json` : structures destinataires de démonstration (un SIRET par budget), au format `{siret, name, services: [{code, label, active}], serviceRequired, engagementRequired, paymentDelayDays}`.');
  out.push('- `pivot/` : flux valides (conformes au XSD `CPPFacturePivot_V2_02.xsd`), à ingérer dans l’ordre des numéros.');
  out.push('- `pivot-bad/` : un fichier par cas d’erreur, avec l’anomalie ou le rejet attendu (tableau ci-dessous).');
  out.push('- `manifest.json` : la même chose pour les tests (factures attendues par flux, code attendu par cas, empreintes SHA-256).');
  out.push('');
  out.push('Seuls ces fichiers sont produits (et remplacés) par la commande ; les autres sous-dossiers de `fixtures/` ont leur propre origine.');
  out.push('');
  out.push('Chaque `PJ/Contenu` est, comme chez Chorus Pro, le base64 d’une **archive ZIP contenant un seul fichier** (nommé comme `NomPJ`), même quand `MimeTypePJ` vaut `application/pdf`.');
  out.push('');
  out.push('## Structures');
  out.push('');
  out.push('| SIRET | Structure | Service obligatoire | Engagement obligatoire | Délai de paiement | Services (inactifs barrés) |');
  out.push('|---|---|---|---|---|---|');
  for (const s of DEMO_STRUCTURES) {
    const services = s.services.map((x) => (x.active ? `\`${x.code}\`` : `~~\`${x.code}\`~~`)).join(', ') || '—';
    out.push(`| ${s.siret} | ${mdCell(s.name)} | ${s.serviceRequired ? 'oui' : 'non'} | ${s.engagementRequired ? 'oui' : 'non'} | ${s.paymentDelayDays} j | ${services} |`);
  }
  out.push('');
  out.push('## Flux valides (`pivot/`)');
  out.push('');
  for (const g of goodFlows) {
    out.push(`### \`pivot/${g.fileName}\` — IdFlx \`${g.flow.idFlx}\`, DtPrd ${g.flow.dtPrd}`);
    out.push('');
    out.push(g.description);
    out.push('');
    out.push('| N° | Facture | IdCPRO | Type | Débiteur | Service | TTC | PJ |');
    out.push('|---|---|---|---|---|---|---|---|');
    g.flow.invoices.forEach((inv, i) => {
      const type = inv.type === '381' ? `381 avoir sur ${inv.originInvoiceNumber}` : '380';
      const pj = inv.attachments.map((a) => a.type).join(' + ');
      out.push(`| ${i + 1} | ${inv.number} | ${inv.cproId} | ${type} | ${inv.debtor.id} | ${inv.debtor.serviceCode ?? '—'} | ${inv.amounts.ttc} | ${pj} |`);
    });
    out.push('');
  }
  out.push('## Cas d’erreur (`pivot-bad/`)');
  out.push('');
  out.push(
    'Niveau *facture* : flux bien formé dont une facture pose problème (anomalie attendue sur cette facture, les autres intégrées). Niveau *flux* : le fichier lui-même est rejeté (codes de `PivotFlowError`, `src/pivot/pivot.types.ts`). `NONE` : le fichier doit être accepté. Les doublons (`DUPLICATE_INVOICE`) sont ignorés et signalés dans le rapport d’import ; `INVOICE_UNREADABLE` est l’événement `invoice-error` du lecteur de flux.',
  );
  out.push('');
  out.push('| Fichier | Niveau | XSD valide | Attendu | Contenu | Comportement attendu |');
  out.push('|---|---|---|---|---|---|');
  for (const b of badCases) {
    const pre = b.prerequisite ? ` *Prérequis : \`${b.prerequisite}\` ingéré avant.*` : '';
    out.push(`| \`${b.fileName}\` | ${b.level === 'invoice' ? 'facture' : 'flux'} | ${b.schemaValid ? 'oui' : 'non'} | \`${b.expectedCode}\` | ${mdCell(b.title)} | ${mdCell(b.expectation)}${pre} |`);
  }
  out.push('');
  out.push('## Volumétrie (benchmark)');
  out.push('');
  out.push('Non versionné : `npm run fixtures -- --out .bench/fixtures --flows 20 --invoices-per-flow 1000 --attachment-kb 20` écrit');
  out.push('`.bench/fixtures/pivot-bulk/flux-bulk-0001.xml` … (≈ 500 Mo au total, une PJ de 20 Kio par facture) et `.bench/fixtures/structures.json`.');
  out.push('Les IdFlx (`CPP0020036…1001` et suivants), numéros et IdCPRO (≥ 4101000000) ne recoupent pas ceux des jeux versionnés.');
  out.push('');
  return out.join('\n');
}
