import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { DirectoryService } from '@/directory/directory.service';

/**
 * The `annuaire` command group, shared with the Chorus Pro client's `annuaire sync`: whoever registers first
 * creates it, the other adds its sub-commands to it.
 */
export function annuaireCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'annuaire') ?? program.command('annuaire').description('Annuaire des structures publiques (Chorus Pro)');
}

export function registerDirectoryCommands(program: Command, ctx: CliContext): void {
  const annuaire = annuaireCommand(program);

  annuaire
    .command('import <file>')
    .description("Importe l'annuaire depuis un fichier CSV ou une archive ZIP de CSV (lecture en flux)")
    .option('--encoding <enc>', 'utf8 ou latin1', 'utf8')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const service = await ctx.get(DirectoryImportService);
      const report = await service.importFile(file, {
        encoding: opts.encoding === 'latin1' ? 'latin1' : 'utf8',
        onProgress: ctx.interactive && !opts.json ? (rows) => process.stderr.write(`\r${rows} lignes lues`) : undefined,
      });
      if (ctx.interactive && !opts.json) process.stderr.write('\n');
      if (opts.json) return ctx.printJson(report);
      ctx.print(`${report.structures} structure(s), ${report.services} service(s) importés depuis ${report.rows} ligne(s) ; ${report.rejected} ligne(s) rejetée(s).`);
      for (const e of report.errors) ctx.print(`  ${e.file} ligne ${e.line} : ${e.reason}`);
    });

  annuaire
    .command('show <siret>')
    .description("Affiche une structure de l'annuaire et ses services")
    .option('--json', 'sortie JSON')
    .action(async (siret: string, opts) => {
      const s = await (await ctx.get(DirectoryService)).get(siret);
      if (opts.json) return ctx.printJson(s);
      ctx.print(`${s.siret}  ${s.name}  ${s.active ? 'actif' : 'INACTIF'}${s.serviceRequired ? '  service obligatoire' : ''}${s.engagementRequired ? '  engagement obligatoire' : ''}`);
      for (const x of s.services) ctx.print(`  ${x.code}  ${x.label}${x.active ? '' : ' (inactif)'}`);
    });
}
