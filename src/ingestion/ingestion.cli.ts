import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { CliContext, JsonOption } from '@/common/cli/cli.context';
import { commandGroup } from '@/common/cli/cli.options';
import { formatCount as n } from '@/common/money/french-format';
import { InboxService } from '@/ingestion/inbox.service';
import { IngestionService } from '@/ingestion/ingestion.service';
import { ImportReport } from '@/ingestion/ingestion.types';

export function registerIngestionCommands(program: Command, ctx: CliContext): void {
  importCommand(program, ctx);
  inboxScanCommand(commandGroup(program, 'inbox'), ctx);
}

function importCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('Importe des flux pivot CPPFacturePivot : fichiers XML, dossiers ou archives ZIP')
    .argument('<paths...>', 'fichiers, dossiers ou ZIP')
    .option('--json', 'dernière ligne de la sortie : le bilan en JSON')
    .action(async (paths: string[], opts: JsonOption) => {
      const ingestion = await ctx.get(IngestionService);
      let bar: SingleBar | null = null;
      if (ctx.interactive && !opts.json) {
        bar = new SingleBar({ format: 'Import {bar} {value}/{total} flux | {file}', stream: process.stderr }, Presets.shades_classic);
        bar.start(await ingestion.countFlows(paths), 0, { file: '' });
      }
      const report = await ingestion.importPaths(paths, {
        source: 'cli',
        onFlowDone: (file, done, total) => {
          bar?.setTotal(Math.max(total, done));
          bar?.update(done, { file });
        },
      });
      bar?.stop();
      ctx.output(opts, report, reportLines);
      if (report.flows.rejected + report.flows.alreadyRejected > 0 && report.flows.integrated + report.flows.partial + report.flows.alreadyImported === 0) {
        process.exitCode = 2;
      }
    });
}

function inboxScanCommand(inbox: Command, ctx: CliContext): void {
  inbox
    .command('scan')
    .description('Importe maintenant les fichiers déposés dans la boîte de dépôt')
    .option('--json', 'sortie JSON')
    .action(async (opts: JsonOption) => {
      ctx.output(opts, await (await ctx.get(InboxService)).scan(0), reportLines);
    });
}

function reportLines(r: ImportReport): string[] {
  return [
    `Flux : ${n(r.flows.integrated)} intégré(s), ${n(r.flows.partial)} partiel(s), ${n(r.flows.rejected)} rejeté(s), ` +
      `${n(r.flows.alreadyImported)} déjà importé(s)${r.flows.alreadyRejected ? `, ${n(r.flows.alreadyRejected)} déjà rejeté(s)` : ''}.`,
    `Factures : ${n(r.invoices.created)} créée(s), ${n(r.invoices.updated)} mise(s) à jour, ${n(r.invoices.duplicates)} doublon(s), ` +
      `${n(r.invoices.withAnomalies)} avec anomalies.`,
    ...r.errors.map((e) => `  ${e.file}${e.invoice ? ` [${e.invoice}]` : ''} — ${e.code} : ${e.message}`),
  ];
}
