import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { registerDirectoryCommands } from '@/directory/directory.cli';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitresImportService } from '@/pes/titres-import.service';
import { TitresService } from '@/pes/titres.service';
import { readFile } from 'node:fs/promises';

/** `pes …` (budgets, generate, acquit), `titres …` (import, list) and `annuaire import`. */
export function registerPesCommands(program: Command, ctx: CliContext): void {
  registerDirectoryCommands(program, ctx);
  const pes = program.command('pes').description('Flux PES ASAP pour Hélios (titres de recettes)');

  pes
    .command('budget <file>')
    .description("Enregistre le paramétrage ASAP d'un budget (fichier JSON : collectivite, signataire, tresorerie, centreEncaissement, modalites)")
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const view = await (await ctx.get(PesBudgetsService)).upsert(JSON.parse(await readFile(file, 'utf8')));
      if (opts.json) return ctx.printJson(view);
      ctx.print(`Budget ${view.code} enregistré.`);
      for (const i of view.issues) ctx.print(`  À compléter : ${i.message}`);
    });

  pes
    .command('generate')
    .description('Génère les flux PES_Aller (bordereau, titres, ASAP) des titres en attente du budget')
    .requiredOption('--budget <code>', 'code du budget')
    .option('--bordereau <n>', "réécrit le fichier d'un bordereau déjà généré")
    .option('--year <yyyy>', 'exercice du bordereau (avec --bordereau)')
    .requiredOption('--out <dir>', 'dossier de sortie')
    .option('--zip', 'une seule archive ZIP')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const result = await (await ctx.get(PesGenerateService)).generate(opts.budget, {
        bordereau: opts.bordereau !== undefined ? Number(opts.bordereau) : undefined,
        year: opts.year ? Number(opts.year) : undefined,
        outDir: opts.out,
        zip: Boolean(opts.zip),
      });
      if (opts.json) return ctx.printJson({ files: result.files, bordereaux: result.bordereaux, titres: result.titres, refused: result.refused });
      for (const i of result.items) ctx.print(`Bordereau ${i.year}-${i.number} : ${i.titres} titre(s), ${i.amountHt} € HT → ${i.fileName}`);
      for (const f of result.files) ctx.print(`Fichier : ${f}`);
      for (const r of result.refused) ctx.print(`Refusé : titre ${r.titre} — ${r.reason}`);
      if (!result.items.length) ctx.print('Aucun titre à émettre.');
    });

  pes
    .command('acquit <file>')
    .description('Lit un PES_ACQUIT et marque les bordereaux acceptés ou rejetés par Hélios')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const result = await (await ctx.get(PesAcquitService)).applyFile(file);
      if (opts.json) return ctx.printJson(result);
      ctx.print(`Acquittement ${result.nomFic ?? ''} : budget ${result.budget ?? 'inconnu'}, ${result.updated} bordereau(x) mis à jour.`);
      for (const e of result.elements) {
        const what = e.bordereau ? `bordereau ${e.exercice}-${e.bordereau}` : e.idUnique ? `PJ ${e.idUnique}` : '';
        ctx.print(`  ${e.domaineLabel} ${what} : ${e.accepted ? 'accepté' : `REJETÉ (${e.reason})`}${e.matched ? '' : ' — sans correspondance'}`);
      }
    });

  const titres = program.command('titres').description('Titres de recettes');

  titres
    .command('import <file>')
    .description('Importe un lot de titres (JSON avec le paramétrage du budget, ou CSV)')
    .option('--budget <code>', 'code du budget (CSV sans colonne budget)')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const report = await (await ctx.get(TitresImportService)).importFile(file, { budget: opts.budget });
      if (opts.json) return ctx.printJson(report);
      ctx.print(`Budget ${report.budget} : ${report.created} titre(s) enregistré(s), ${report.skipped} déjà présent(s), ${report.rejected.length} refusé(s) sur ${report.read}.`);
      for (const r of report.rejected) ctx.print(`  ${r.line}${r.ref ? ` (${r.ref})` : ''} : ${r.reason}`);
    });

  titres
    .command('list')
    .description('Liste les titres du budget')
    .requiredOption('--budget <code>', 'code du budget')
    .option('--status <status>', 'EN_ATTENTE ou EMIS')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(TitresService)).list(opts.budget, { status: opts.status });
      if (opts.json) return ctx.printJson(list);
      for (const t of list) {
        ctx.print(`${t.year}-${t.number}  ${t.status}${t.bordereau ? ` (bordereau ${t.bordereau})` : ''}  Edition ${t.edition}  ${t.amountTtc} €  ${t.debtor.name}${t.lastRefusal ? `  ⚠ ${t.lastRefusal}` : ''}`);
      }
    });
}
