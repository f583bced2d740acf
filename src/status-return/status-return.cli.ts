import { resolve } from 'node:path';
import { Command } from 'commander';
import { CliContext, JsonOption } from '@/common/cli/cli.context';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatCount as n } from '@/common/money/french-format';
import { StatusFlowImportService } from '@/status-return/status-flow-import.service';
import { StatusFlowWriterService } from '@/status-return/status-flow-writer.service';
import { StatusFlowsRepository } from '@/status-return/status-flows.repository';
import { StatusOutboxService } from '@/status-return/status-outbox.service';
import { StatusPushService } from '@/status-return/status-push.service';
import { ALL_INVOICES } from '@/users/principal';

const CLI_ACTOR = 'exploitant (ligne de commande)';

/** `status push|list|retry|abandon` (mode api) and `status-flow generate|import|list` (mode fichier). */
export function registerStatusReturnCommands(program: Command, ctx: CliContext): void {
  const status = commandGroup(program, 'status');
  pushCommand(status, ctx);
  listCommand(status, ctx);
  retryAbandonCommands(status, ctx);
  const flow = commandGroup(program, 'status-flow');
  flowGenerateCommand(flow, ctx);
  flowImportCommand(flow, ctx);
  flowListCommand(flow, ctx);
}

function pushCommand(status: Command, ctx: CliContext): void {
  status
    .command('push')
    .description("Envoie maintenant à Chorus Pro les statuts en attente des structures en mode api")
    .option('--json', 'résumé JSON sur la dernière ligne')
    .action(async (opts: JsonOption) => {
      const summary = await (await ctx.get(StatusPushService)).push();
      ctx.output(opts, summary, (s) => `Envoyés : ${n(s.sent)} ; déjà présents : ${n(s.alreadyThere)} ; en erreur : ${n(s.failed)} ; en attente : ${n(s.pending)}`);
    });
}

function listCommand(status: Command, ctx: CliContext): void {
  status
    .command('list')
    .description('Statuts à transmettre (par défaut : en erreur)')
    .option('--state <state>', 'pending | sending | sent | failed | cancelled', 'failed')
    .option('--invoice <id>', 'une facture')
    .option('--limit <n>', 'nombre maximum', nonNegativeInt, 100)
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { state: string; invoice?: string; limit: number; json?: boolean }) => {
      const rows = await (await ctx.get(StatusOutboxService)).list(ALL_INVOICES, { state: opts.state, invoiceId: opts.invoice, limit: opts.limit });
      ctx.output(opts, rows, (l) => l.map((r) => `${r.id}  ${r.invoiceNumber}  ${r.targetStatus}  ${r.state}${r.lastError ? `  ${r.lastError}` : ''}`));
    });
}

function retryAbandonCommands(status: Command, ctx: CliContext): void {
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
}

function flowGenerateCommand(flow: Command, ctx: CliContext): void {
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
      for (const f of result.failed) ctx.note(`Statut ${f.outboxId} en erreur : ${f.message}`);
      ctx.output(opts, { files: result.files, statuses: result.statuses }, () =>
        result.statuses === 0
          ? ['Aucun statut en attente de transfert.']
          : [...result.files, `${n(result.statuses)} statut(s) écrit(s) dans ${n(result.flows.length)} fichier(s).`],
      );
    });
}

function flowImportCommand(flow: Command, ctx: CliContext): void {
  flow
    .command('import <file>')
    .description("Importe un flux CPPStatut produit par un autre outil et enregistre ses statuts sur les factures")
    .option('--json', 'rapport JSON sur la dernière ligne')
    .action(async (file: string, opts: JsonOption) => {
      const report = await (await ctx.get(StatusFlowImportService)).importFile(resolve(file), CLI_ACTOR);
      if (report.result === 'rejected') process.exitCode = 1;
      ctx.output(opts, report, (r) => [
        ...(r.alreadyImported ? ['Fichier déjà importé : rapport précédent.'] : []),
        ...(r.result === 'rejected' ? [`Flux rejeté (non conforme à CPPStatutPivot_V1_19) :\n  ${r.errors.join('\n  ')}`] : []),
        ...(r.result === 'flow-level' ? [r.errors.join('\n')] : []),
        ...r.statuses.map((s) => `${s.idFacture}  IdStatut ${s.idStatut}  ${s.outcome}  ${s.message}`),
        `Enregistrés : ${n(r.counts.recorded)} ; inchangés : ${n(r.counts.unchanged)} ; statuts inconnus : ${n(r.counts.unknownStatus)} ; factures introuvables : ${n(r.counts.notFound)}`,
      ]);
    });
}

function flowListCommand(flow: Command, ctx: CliContext): void {
  flow
    .command('list')
    .description('Fichiers CPPStatut générés et importés')
    .option('--direction <d>', 'out (générés) | in (importés)')
    .option('--limit <n>', 'nombre maximum', nonNegativeInt, 50)
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { direction?: 'out' | 'in'; limit: number; json?: boolean }) => {
      const list = await (await ctx.get(StatusFlowsRepository)).list({ direction: opts.direction, structureIds: 'all', includeUnassigned: true, limit: opts.limit });
      ctx.output(
        opts,
        list.map(({ storageKey: _k, ...f }) => f),
        (l) => l.map((f) => `${f.createdAt.toISOString()}  ${f.direction}  ${f.fileName}  IdFlx ${f.idFlx ?? '-'}  ${n(f.statusCount)} statut(s)  ${f.createdBy}`),
      );
    });
}
