import { resolve } from 'node:path';
import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { StatusFlowImportService } from '@/status-return/status-flow-import.service';
import { StatusFlowWriterService } from '@/status-return/status-flow-writer.service';
import { StatusFlowsRepository } from '@/status-return/status-flows.repository';
import { StatusOutboxService } from '@/status-return/status-outbox.service';
import { StatusPushService } from '@/status-return/status-push.service';
import { ALL_INVOICES } from '@/users/principal';

const CLI_ACTOR = 'exploitant (ligne de commande)';

/** `status push`, `status failed|retry|abandon`, `status-flow generate|import|list` (issue 5). */
export function registerStatusReturnCommands(program: Command, ctx: CliContext): void {
  const status = program.command('status').description('Retour des statuts vers Chorus Pro (mode api)');

  status
    .command('push')
    .description("Envoie maintenant à Chorus Pro les statuts en attente des structures en mode api")
    .option('--json', 'résumé JSON sur la dernière ligne')
    .action(async (opts: { json?: boolean }) => {
      const summary = await (await ctx.get(StatusPushService)).push();
      if (opts.json) return ctx.printJson(summary);
      ctx.print(`Envoyés : ${summary.sent} ; déjà présents : ${summary.alreadyThere} ; en erreur : ${summary.failed} ; en attente : ${summary.pending}`);
      ctx.printJson(summary);
    });

  status
    .command('list')
    .description('Statuts à transmettre (par défaut : en erreur)')
    .option('--state <state>', 'pending | sending | sent | failed | cancelled', 'failed')
    .option('--invoice <id>', 'une facture')
    .option('--limit <n>', 'nombre maximum', '100')
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { state: string; invoice?: string; limit: string; json?: boolean }) => {
      const rows = await (await ctx.get(StatusOutboxService)).list(ALL_INVOICES, { state: opts.state, invoiceId: opts.invoice, limit: Number(opts.limit) });
      if (opts.json) return ctx.printJson(rows);
      for (const r of rows) ctx.print(`${r.id}  ${r.invoiceNumber}  ${r.targetStatus}  ${r.state}${r.lastError ? `  ${r.lastError}` : ''}`);
    });

  for (const [name, description] of [
    ['retry', 'Renvoie un statut en erreur (après correction côté Chorus Pro)'],
    ['abandon', 'Abandonne un statut en erreur (saisi à la main sur le portail)'],
  ] as const) {
    status
      .command(`${name} <id>`)
      .description(description)
      .action(async (id: string) => {
        const service = await ctx.get(StatusOutboxService);
        await (name === 'retry' ? service.retry(Number(id), ALL_INVOICES, CLI_ACTOR) : service.abandon(Number(id), ALL_INVOICES, CLI_ACTOR));
        ctx.print(name === 'retry' ? `Statut ${id} remis en attente d'envoi.` : `Statut ${id} abandonné.`);
      });
  }

  const flow = program.command('status-flow').description('Flux de statuts CPPStatut (mode fichier)');

  flow
    .command('generate')
    .description('« Génération du fichier de transfert des statuts » : écrit les statuts en attente en flux CPPStatut')
    .requiredOption('--out <dir>', 'répertoire de transfert')
    .option('--status <status>', 'un seul statut (REJETEE, SUSPENDUE, SERVICE_FAIT, MANDATEE, A_RECYCLER, MISE_EN_PAIEMENT ou IdStatut)')
    .option('--invoice <id>', 'une seule facture (id ou numéro)')
    .option('--siret <siret>', 'une seule structure')
    .option('--zip', 'plusieurs fichiers réunis dans une archive ZIP', false)
    .option('--json', 'résultat JSON sur la dernière ligne')
    .action(async (opts: { out: string; status?: string; invoice?: string; siret?: string; zip: boolean; json?: boolean }) => {
      const result = await (await ctx.get(StatusFlowWriterService)).generate({
        outDir: resolve(opts.out),
        status: opts.status,
        invoice: opts.invoice,
        siret: opts.siret,
        zip: opts.zip,
        actor: CLI_ACTOR,
      });
      for (const f of result.failed) process.stderr.write(`Statut ${f.outboxId} en erreur : ${f.message}\n`);
      if (opts.json) return ctx.printJson({ files: result.files, statuses: result.statuses });
      if (result.statuses === 0) return ctx.print('Aucun statut en attente de transfert.');
      for (const file of result.files) ctx.print(file);
      ctx.print(`${result.statuses} statut(s) écrit(s) dans ${result.flows.length} fichier(s).`);
    });

  flow
    .command('import <file>')
    .description("Importe un flux CPPStatut produit par un autre outil et enregistre ses statuts sur les factures")
    .option('--json', 'rapport JSON sur la dernière ligne')
    .action(async (file: string, opts: { json?: boolean }) => {
      const report = await (await ctx.get(StatusFlowImportService)).importFile(resolve(file), CLI_ACTOR);
      if (report.result === 'rejected') process.exitCode = 1;
      if (opts.json) return ctx.printJson(report);
      if (report.alreadyImported) ctx.print('Fichier déjà importé : rapport précédent.');
      if (report.result === 'rejected') ctx.print(`Flux rejeté (non conforme à CPPStatutPivot_V1_19) :\n  ${report.errors.join('\n  ')}`);
      else if (report.result === 'flow-level') ctx.print(report.errors.join('\n'));
      for (const s of report.statuses) ctx.print(`${s.idFacture}  IdStatut ${s.idStatut}  ${s.outcome}  ${s.message}`);
      const c = report.counts;
      ctx.print(`Enregistrés : ${c.recorded} ; inchangés : ${c.unchanged} ; statuts inconnus : ${c.unknownStatus} ; factures introuvables : ${c.notFound}`);
    });

  flow
    .command('list')
    .description('Fichiers CPPStatut générés et importés')
    .option('--direction <d>', 'out (générés) | in (importés)')
    .option('--limit <n>', 'nombre maximum', '50')
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { direction?: 'out' | 'in'; limit: string; json?: boolean }) => {
      const list = await (await ctx.get(StatusFlowsRepository)).list({ direction: opts.direction, structureIds: 'all', includeUnassigned: true, limit: Number(opts.limit) });
      if (opts.json) return ctx.printJson(list.map(({ storageKey: _k, ...f }) => f));
      for (const f of list) {
        ctx.print(`${f.createdAt.toISOString()}  ${f.direction}  ${f.fileName}  IdFlx ${f.idFlx ?? '-'}  ${f.statusCount} statut(s)  ${f.createdBy}`);
      }
    });
}
