import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup } from '@/common/cli/cli.options';
import { ReasonsService } from '@/invoices/reasons.service';

/** `reasons list`: the motif codes `invoices reject|suspend --reason` takes. */
export function registerReasonsCommands(program: Command, ctx: CliContext): void {
  commandGroup(program, 'reasons')
    .command('list')
    .description('Liste les motifs (codes à passer à --reason)')
    .option('--all', 'y compris les motifs désactivés')
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const list = await (await ctx.get(ReasonsService)).list(Boolean(opts.all));
      ctx.output(opts, list, (l) => l.map((r) => `${r.code.padEnd(24)} ${r.label}  [${r.actions.join(', ')}]${r.active ? '' : ' (désactivé)'}`));
    });
}
