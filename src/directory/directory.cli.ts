import { Command } from 'commander';
import { parseTextEncoding } from '@/common/text/text-encoding';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup } from '@/common/cli/cli.options';
import { formatCount as n } from '@/common/money/french-format';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { DirectoryService } from '@/directory/directory.service';

/** `annuaire import|show`; other features may add sub-commands to the same group (`annuaire sync`). */
export function registerDirectoryCommands(program: Command, ctx: CliContext): void {
  const annuaire = commandGroup(program, 'annuaire');
  importCommand(annuaire, ctx);
  showCommand(annuaire, ctx);
}

function importCommand(annuaire: Command, ctx: CliContext): void {
  annuaire
    .command('import <file>')
    .description("Importe l'annuaire depuis un fichier CSV ou une archive ZIP de CSV (lecture en flux)")
    .option('--encoding <enc>', 'utf8, latin1, windows-1252, utf16le ou utf16be (défaut : reconnu d’après le fichier)')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const service = await ctx.get(DirectoryImportService);
      const report = await service.importFile(file, {
        encoding: opts.encoding ? parseTextEncoding(opts.encoding) : undefined,
        onProgress: ctx.interactive && !opts.json ? (rows) => process.stderr.write(`\r${n(rows)} lignes lues`) : undefined,
      });
      if (ctx.interactive && !opts.json) process.stderr.write('\n');
      ctx.output(opts, report, (r) => [
        `${n(r.structures)} structure(s), ${n(r.services)} service(s) importés depuis ${n(r.rows)} ligne(s) ; ${n(r.rejected)} ligne(s) rejetée(s).`,
        ...r.errors.map((e) => `  ${e.file} ligne ${n(e.line)} : ${e.reason}`),
      ]);
    });
}

function showCommand(annuaire: Command, ctx: CliContext): void {
  annuaire
    .command('show <siret>')
    .description("Affiche une structure de l'annuaire et ses services")
    .option('--json', 'sortie JSON')
    .action(async (siret: string, opts) => {
      const s = await (await ctx.get(DirectoryService)).get(siret);
      ctx.output(opts, s, (v) => [
        `${v.siret}  ${v.name}  ${v.active ? 'actif' : 'INACTIF'}${v.serviceRequired ? '  service obligatoire' : ''}${v.engagementRequired ? '  engagement obligatoire' : ''}`,
        ...v.services.map((x) => `  ${x.code}  ${x.label}${x.active ? '' : ' (inactif)'}`),
      ]);
    });
}
