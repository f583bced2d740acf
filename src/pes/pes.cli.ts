import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { DomainError } from '@/common/errors/domain.error';
import { parseTextEncoding } from '@/common/text/text-encoding';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatCount as n, formatEuros } from '@/common/money/french-format';
import { PesAcquitService } from '@/pes/pes-acquit.service';
import { PesAsapRetourService } from '@/pes/pes-asap-retour.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitresImportService } from '@/pes/titres-import.service';
import { TitresService } from '@/pes/titres.service';

/** PES_AsapRetour state of a titre, for people. */
const ASAP_STATE_LABELS: Record<string, string> = { POSTALISE: 'remis à La Poste', NOTIFIE: 'notifié par mail', LU: 'lu par le débiteur', REJETE: 'rejeté' };

/** `pes budget|generate|bordereaux|acquit|asap-retour` and `titres import|list` (recettes: PES_Aller with ASAP). */
export function registerPesCommands(program: Command, ctx: CliContext): void {
  const pes = commandGroup(program, 'pes');
  budgetCommand(pes, ctx);
  generateCommand(pes, ctx);
  bordereauxCommand(pes, ctx);
  acquitCommand(pes, ctx);
  asapRetourCommand(pes, ctx);
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
      ctx.output(opts, { files: result.files, bordereaux: result.bordereaux, titres: result.titres, refused: result.refused, warnings: result.warnings }, () => [
        ...result.items.map((i) => `Bordereau ${i.year}-${i.number} : ${n(i.titres)} titre(s), ${formatEuros(i.amountHt)} HT → ${i.fileName}`),
        ...result.files.map((f) => `Fichier : ${f}`),
        ...result.refused.map((r) => `Refusé : titre ${r.titre} — ${r.reason}`),
        ...result.warnings.map((w) => `Attention : titre ${w.titre} — ${w.message}`),
        ...(result.items.length ? [] : ['Aucun titre à émettre.']),
      ]);
    });
}

function bordereauxCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('bordereaux')
    .description('Liste les bordereaux du budget : fichier, état (GENERE, ACCEPTE, REJETE) et chaque erreur Hélios')
    .requiredOption('--budget <code>', 'code du budget')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(PesGenerateService)).listBordereaux(opts.budget);
      ctx.output(opts, list, (l) => [
        ...(l.length ? [] : [`Aucun bordereau pour le budget ${opts.budget}.`]),
        ...l.flatMap((b) => [
          `${b.domain === 'recette' ? 'Titres' : 'Mandats'} ${b.year}-${b.number}  ${b.status}  ${n(b.titreCount)} pièce(s)  ${formatEuros(b.amountHt)} HT  ${b.fileName}`,
          ...b.errors.map((e) => `  erreur ${e.heliosCode ?? e.anoCode ?? ''} (domaine ${e.domaine} ${e.domaineLabel}${e.piece ? `, pièce ${e.piece}` : ''}${e.line ? `, ligne ${e.line}` : ''}) : ${e.message}`),
        ]),
      ]);
    });
}

function acquitCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('acquit <file>')
    .description('Lit un PES_ACQUIT et marque les bordereaux (titres, mandats) acceptés ou rejetés par Hélios')
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const result = await refusedAsJson(ctx, opts, async () => (await ctx.get(PesAcquitService)).applyFile(file));
      if (!result) return;
      ctx.output(opts, result, (r) => [
        `Acquittement ${r.nomFic ?? ''} : budget ${r.budget ?? 'inconnu'}, ${n(r.updated)} bordereau(x) mis à jour.`,
        ...(r.message ? [r.message] : []),
        ...r.elements.map((e) => {
          const what = e.bordereau ? `bordereau ${e.exercice}-${e.bordereau}` : e.idUnique ? `PJ ${e.idUnique}` : 'fichier';
          return `  ${e.domaineLabel} ${what} : ${e.accepted ? 'accepté' : `REJETÉ (${e.reason})`}${e.matched ? '' : ` — sans correspondance${e.note ? ` (${e.note})` : ''}`}`;
        }),
        ...r.bordereaux.map((b) => `  → bordereau ${b.domain === 'recette' ? 'de titres' : 'de mandats'} ${b.year}-${b.number} (${b.fileName}) : ${b.status}${b.errors ? `, ${n(b.errors)} erreur(s)` : ''}`),
      ]);
    });
}

function asapRetourCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('asap-retour <file>')
    .description("Lit un PES_AsapRetour d'Hélios : postalisation, notification par mail, première lecture ou rejet de chaque ASAP")
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const result = await refusedAsJson(ctx, opts, async () => (await ctx.get(PesAsapRetourService)).applyFile(file));
      if (!result) return;
      ctx.output(opts, result, (r) => [
        `PES_AsapRetour : ${n(r.read)} ASAP lu(s), ${n(r.recorded)} nouvelle(s) enregistrée(s), ${n(r.unmatched)} sans titre correspondant.`,
        ...r.items.map((i) => (i.titre ? `  titre ${i.titre} (${i.budget}) : ${i.summary}` : `  ${i.summary}`)),
      ]);
    });
}

/**
 * A file the command cannot read (not the expected root, unreadable XML) is refused in French; with --json the
 * refusal is also the JSON line on stdout (`{"error":{code,message}}`), so that a script reading stdout sees it.
 */
async function refusedAsJson<T>(ctx: CliContext, opts: { json?: boolean }, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (err) {
    if (!opts.json || !(err instanceof DomainError)) throw err;
    ctx.printJson({ error: { code: err.code, message: err.message } });
    ctx.note(`Erreur : ${err.code} : ${err.message}`);
    process.exitCode = 1;
    return null;
  }
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
            `${t.year}-${t.number}  ${t.status}${t.bordereau ? ` (bordereau ${t.bordereau})` : ''}  Edition ${t.edition}  ${formatEuros(t.amountTtc)}  ${t.debtor.name}${t.lastRefusal ? `  ⚠ ${t.lastRefusal}` : ''}${t.asapRetour ? `  ASAP ${ASAP_STATE_LABELS[t.asapRetour.state]}${t.asapRetour.rejectionReason ? ` : ${t.asapRetour.rejectionReason}` : ''}` : ''}`,
        ),
      );
    });
}
