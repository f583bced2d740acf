import { Command } from 'commander';
import { CliContext, JsonOption } from '@/common/cli/cli.context';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { StoreGcService, storeGcLines } from '@/ingestion/store-gc.service';

/** `passerelle store gc`: frees the temp files and unreferenced packs of killed or repeated imports. */
export function registerStoreCommands(program: Command, ctx: CliContext): void {
  commandGroup(program, 'store')
    .command('gc')
    .description('Libère les fichiers temporaires et les paquets de pièces jointes que plus rien ne référence')
    .option('--grace <minutes>', 'ne touche pas à ce qui a moins de N minutes (défaut : 0 sur la base embarquée, 60 sur PostgreSQL)', nonNegativeInt)
    .option('--json', 'sortie JSON')
    .action(async (opts: JsonOption & { grace?: number }) => {
      const gc = await ctx.get(StoreGcService);
      ctx.output(opts, await gc.collect(opts.grace), storeGcLines);
    });
}
