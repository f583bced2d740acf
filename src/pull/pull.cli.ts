import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { CliContext } from '@/common/cli/cli.context';
import { isoDate } from '@/common/cli/cli.options';
import { formatCount as n } from '@/common/money/french-format';
import { PullService } from '@/pull/pull.service';
import { PullProgress, PullReport } from '@/pull/pull.types';

export function registerPullCommands(program: Command, ctx: CliContext): void {
  program
    .command('pull')
    .description('Relève maintenant les factures reçues sur Chorus Pro (API PISTE) pour les structures ayant un compte technique')
    .option('--structure <siret>', 'une seule structure')
    .option('--since <iso8601>', 'début de la fenêtre (au lieu de la fin de la dernière relève réussie)', isoDate)
    .option('--run-key <key>', 'clé de relève partagée entre processus (chaque structure relevée une fois par clé)')
    .option('--json', 'sortie JSON (dernière ligne)')
    .action(async (opts) => {
      const service = await ctx.get(PullService);
      let bar: SingleBar | null = null;
      let current = '';
      const onProgress = ctx.interactive
        ? (e: PullProgress) => {
            if (e.siret !== current) {
              bar?.stop();
              current = e.siret;
              bar = new SingleBar({ format: `${e.siret} [{bar}] {value}/{total} factures`, stream: process.stderr }, Presets.shades_classic);
              bar.start(Math.max(e.total, 1), 0);
            }
            bar?.setTotal(Math.max(e.total, 1));
            bar?.update(e.done);
          }
        : undefined;
      const report = await service.run({ siret: opts.structure, since: opts.since, runKey: opts.runKey, onProgress });
      (bar as SingleBar | null)?.stop();
      // A structure failed, or was not pulled by anyone in this run (busy, or pulled elsewhere without success).
      if (report.errors.some((e) => !e.invoice) || report.skippedStructures.some((s) => s.reason !== 'elsewhere' || s.outcome !== 'ok')) process.exitCode = 2;
      ctx.output(opts, report, reportLines);
    });
}

function reportLines(report: PullReport): string[] {
  return [
    `Relève terminée : ${n(report.structures)} structure(s), ${n(report.apiCalls)} appel(s) API, ${n(report.invoices.created)} facture(s) créée(s), ` +
      `${n(report.invoices.updated)} mise(s) à jour, ${n(report.invoices.duplicates)} doublon(s), ${n(report.invoices.withAnomalies)} avec anomalies.`,
    ...(report.worksHeld ? [`  ${n(report.worksHeld)} facture(s) de travaux non créée(s) : suspendue(s) ou à recycler côté travaux dans Chorus Pro.`] : []),
    ...report.errors.map((e) => `  ${e.siret} ${e.invoice ? `facture ${e.invoice} ` : ''}${e.code} : ${e.message}`),
    ...(report.skippedStructures.length > 0 ? [`${n(report.skippedStructures.length)} structure(s) non relevée(s) par ce processus :`] : []),
    ...report.skippedStructures.map((s) => `  ${s.siret} : ${s.message}`),
  ];
}
