import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { parseTextEncoding } from '@/common/text/text-encoding';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatCount as n, formatEuros } from '@/common/money/french-format';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitresImportService } from '@/pes/titres-import.service';
import { TitresService } from '@/pes/titres.service';

/** `pes budget|generate|acquit` and `titres import|list` (recettes: PES_Aller with ASAP). */
export function registerPesCommands(program: Command, ctx: CliContext): void {
  const pes = commandGroup(program, 'pes');
  budgetCommand(pes, ctx);
  generateCommand(pes, ctx);
  acquitCommand(pes, ctx);
  const titres = commandGroup(program, 'titres');
  titresImportCommand(titres, ctx);
  titresListCommand(titres, ctx);
}

function budgetCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('budget <file>')
    .description("Enregistre le paramétrage ASAP d'un budget (fichier JSON : collectivite, signataire, tresorerie, centreEncaissement, modalites)")
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const view = await (await ctx.get(PesBudgetsService)).upsert(JSON.parse(await readFile(file, 'utf8')));
      ctx.output(opts, view, (v) => [`Budget ${v.code} enregistré.`, ...v.issues.map((i) => `  À compléter : ${i.message}`)]);
    });
}

function generateCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('generate')
    .description('Génère les flux PES_Aller (bordereau, titres, ASAP) des titres en attente du budget')
    .requiredOption('--budget <code>', 'code du budget')
    .option('--bordereau <n>', "réécrit le fichier d'un bordereau déjà généré", nonNegativeInt)
    .option('--year <yyyy>', 'exercice du bordereau (avec --bordereau)', nonNegativeInt)
    .requiredOption('--out <dir>', 'dossier de sortie')
    .option('--zip', 'une seule archive ZIP')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const result = await (await ctx.get(PesGenerateService)).generate(opts.budget, {
        bordereau: opts.bordereau,
        year: opts.year,
        outDir: opts.out,
        zip: Boolean(opts.zip),
      });
      ctx.output(opts, { files: result.files, bordereaux: result.bordereaux, titres: result.titres, refused: result.refused }, () => [
        ...result.items.map((i) => `Bordereau ${i.year}-${i.number} : ${n(i.titres)} titre(s), ${formatEuros(i.amountHt)} HT → ${i.fileName}`),
        ...result.files.map((f) => `Fichier : ${f}`),
        ...result.refused.map((r) => `Refusé : titre ${r.titre} — ${r.reason}`),
        ...(result.items.length ? [] : ['Aucun titre à émettre.']),
      ]);
    });
}

function acquitCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('acquit <file>')
    .description('Lit un PES_ACQUIT et marque les bordereaux acceptés ou rejetés par Hélios')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const result = await (await ctx.get(PesAcquitService)).applyFile(file);
      ctx.output(opts, result, (r) => [
        `Acquittement ${r.nomFic ?? ''} : budget ${r.budget ?? 'inconnu'}, ${n(r.updated)} bordereau(x) mis à jour.`,
        ...r.elements.map((e) => {
          const what = e.bordereau ? `bordereau ${e.exercice}-${e.bordereau}` : e.idUnique ? `PJ ${e.idUnique}` : '';
          return `  ${e.domaineLabel} ${what} : ${e.accepted ? 'accepté' : `REJETÉ (${e.reason})`}${e.matched ? '' : ' — sans correspondance'}`;
        }),
      ]);
    });
}

function titresImportCommand(titres: Command, ctx: CliContext): void {
  titres
    .command('import <file>')
    .description('Importe un lot de titres (JSON avec le paramétrage du budget, ou CSV)')
    .option('--budget <code>', 'code du budget (CSV sans colonne budget)')
    .option('--encoding <enc>', 'encodage du CSV : utf8, latin1, windows-1252, utf16le, utf16be (défaut : reconnu d’après le fichier)')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const encoding = opts.encoding ? parseTextEncoding(opts.encoding) : undefined;
      const report = await (await ctx.get(TitresImportService)).importFile(file, { budget: opts.budget, encoding });
      ctx.output(opts, report, (r) => [
        `Budget ${r.budget} : ${n(r.created)} titre(s) enregistré(s), ${n(r.skipped)} déjà présent(s), ${n(r.rejected.length)} refusé(s) sur ${n(r.read)}.`,
        ...r.rejected.map((x) => `  ${x.line}${x.ref ? ` (${x.ref})` : ''} : ${x.reason}`),
      ]);
    });
}

function titresListCommand(titres: Command, ctx: CliContext): void {
  titres
    .command('list')
    .description('Liste les titres du budget')
    .requiredOption('--budget <code>', 'code du budget')
    .option('--status <status>', 'EN_ATTENTE ou EMIS')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(TitresService)).list(opts.budget, { status: opts.status });
      ctx.output(opts, list, (l) =>
        l.map(
          (t) =>
            `${t.year}-${t.number}  ${t.status}${t.bordereau ? ` (bordereau ${t.bordereau})` : ''}  Edition ${t.edition}  ${formatEuros(t.amountTtc)}  ${t.debtor.name}${t.lastRefusal ? `  ⚠ ${t.lastRefusal}` : ''}`,
        ),
      );
    });
}
