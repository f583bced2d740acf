import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { InboxService } from '@/ingestion/inbox.service';
import { IngestionService } from '@/ingestion/ingestion.service';
import { ImportReport } from '@/ingestion/ingestion.types';

export function registerIngestionCommands(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('Importe des flux pivot CPPFacturePivot : fichiers XML, dossiers ou archives ZIP')
    .argument('<paths...>', 'fichiers, dossiers ou ZIP')
    .option('--json', 'dernière ligne de la sortie : le bilan en JSON')
    .action(async (paths: string[], opts: { json?: boolean }) => {
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
      if (opts.json) ctx.printJson(report);
      else printReport(ctx, report);
      if (report.flows.rejected + report.flows.alreadyRejected > 0 && report.flows.integrated + report.flows.partial + report.flows.alreadyImported === 0) {
        process.exitCode = 2;
      }
    });

  const inbox = program.command('inbox').description('Dossier de dépôt des flux (mode portail)');
  inbox
    .command('scan')
    .description('Importe maintenant les fichiers déposés dans la boîte de dépôt')
    .option('--json', 'sortie JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await (await ctx.get(InboxService)).scan(0);
      if (opts.json) ctx.printJson(report);
      else printReport(ctx, report);
    });
}

function printReport(ctx: CliContext, r: ImportReport): void {
  ctx.print(
    `Flux : ${r.flows.integrated} intégré(s), ${r.flows.partial} partiel(s), ${r.flows.rejected} rejeté(s), ` +
      `${r.flows.alreadyImported} déjà importé(s)${r.flows.alreadyRejected ? `, ${r.flows.alreadyRejected} déjà rejeté(s)` : ''}.`,
  );
  ctx.print(
    `Factures : ${r.invoices.created} créée(s), ${r.invoices.updated} mise(s) à jour, ${r.invoices.duplicates} doublon(s), ` +
      `${r.invoices.withAnomalies} avec anomalies.`,
  );
  for (const e of r.errors) ctx.print(`  ${e.file}${e.invoice ? ` [${e.invoice}]` : ''} — ${e.code} : ${e.message}`);
}
