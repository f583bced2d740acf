import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup } from '@/common/cli/cli.options';
import { ReasonsService } from '@/invoices/reasons.service';
import { StructuresService } from '@/structures/structures.service';

/** `reasons list`: the motif codes `invoices reject|suspend --reason` takes. */
export function registerReasonsCommands(program: Command, ctx: CliContext): void {
  commandGroup(program, 'reasons')
    .command('list')
    .description('Liste les motifs (codes à passer à --reason)')
    .option('--all', 'y compris les motifs désactivés')
    .option('--structure <siret>', "motifs d'une structure (par défaut : la liste livrée, config/reasons.json)")
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { all?: boolean; json?: boolean; structure?: string }) => {
      const structure = opts.structure ? await (await ctx.get(StructuresService)).get(opts.structure) : null;
      const list = await (await ctx.get(ReasonsService)).list(structure?.id ?? null, Boolean(opts.all));
      ctx.output(opts, list, (l) => l.map((r) => `${r.code.padEnd(24)} ${r.label}  [${r.actions.join(', ')}]${r.active ? '' : ' (désactivé)'}`));
    });
}
