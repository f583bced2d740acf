import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_SEED, writeBulkFlows, writeFixtureSet } from '@/fixtures-generator/fixtures.writer';

// `npm run fixtures`: writes the committed fixture set, or bulk flows for the benchmark when --flows is given.

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('Entier positif attendu.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('Nombre positif attendu.');
  return n;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command()
    .name('fixtures')
    .description('Génère les flux pivot Chorus Pro de démonstration (jeux d’essai versionnés ou volumétrie).')
    .option('--out <dir>', 'dossier de sortie', 'fixtures')
    .option('--seed <n>', 'graine du générateur (même graine, mêmes octets)', positiveInt, DEFAULT_SEED)
    .option('--flows <n>', 'mode volumétrie : nombre de flux à écrire dans <out>/pivot-bulk', positiveInt)
    .option('--invoices-per-flow <n>', 'mode volumétrie : factures par flux', positiveInt, 1000)
    .option('--attachment-kb <n>', 'mode volumétrie : taille du PDF de chaque facture, en Kio', positiveNumber, 20)
    .option('--supplementary <n>', 'mode volumétrie : PJ complémentaires (type 02) par facture', positiveInt, 0)
    .option('--encoding <enc>', 'mode volumétrie : UTF-8 ou ISO-8859-1', 'UTF-8')
    .showHelpAfterError();
  program.parse(argv);
  const opts = program.opts<{
    out: string;
    seed: number;
    flows?: number;
    invoicesPerFlow: number;
    attachmentKb: number;
    supplementary: number;
    encoding: string;
  }>();
  const outDir = resolve(opts.out);

  if (opts.flows === undefined) {
    const result = await writeFixtureSet(outDir, opts.seed);
    process.stdout.write(`${result.files.length} fichiers écrits dans ${outDir} (${(result.bytes / 1024).toFixed(0)} Kio)\n`);
    return;
  }
  if (opts.encoding !== 'UTF-8' && opts.encoding !== 'ISO-8859-1') throw new InvalidArgumentError('--encoding : UTF-8 ou ISO-8859-1');
  const result = await writeBulkFlows({
    outDir,
    seed: opts.seed,
    flows: opts.flows,
    invoicesPerFlow: opts.invoicesPerFlow,
    attachmentKb: opts.attachmentKb,
    supplementaryAttachments: opts.supplementary,
    encoding: opts.encoding,
    onFlowWritten: (file, index, bytes) => process.stdout.write(`flux ${index}/${opts.flows} : ${file} (${(bytes / 1048576).toFixed(1)} Mio)\n`),
  });
  const mb = result.bytes / 1048576;
  process.stdout.write(
    `${result.files.length} flux, ${result.invoices} factures, ${mb.toFixed(0)} Mio en ${(result.elapsedMs / 1000).toFixed(1)} s (${(mb / (result.elapsedMs / 1000)).toFixed(0)} Mio/s)\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Échec de la génération des jeux d’essai : ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
