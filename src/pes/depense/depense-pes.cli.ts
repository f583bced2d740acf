import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatCount as n, formatEuros } from '@/common/money/french-format';
import { MandateExportService } from '@/invoices/mandate-export.service';
import { DepenseBordereauService } from '@/pes/depense/depense-bordereau.service';
import { DepenseRetourService } from '@/pes/depense/depense-retour.service';

/** `pes depense`, `pes mandats`, `pes liberer`, `pes retour` (dépense: mandats to Hélios, retour of payments). */
export function registerDepensePesCommands(program: Command, ctx: CliContext): void {
  const pes = commandGroup(program, 'pes');
  depenseCommand(pes, ctx);
  mandatsCommand(pes, ctx);
  releaseCommand(pes, ctx);
  retourCommand(pes, ctx);
}

function depenseCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('depense')
    .description("Génère le bordereau de mandats (PES_DepenseAller, PJ des factures) des mandats du budget non encore envoyés à Hélios")
    .requiredOption('--budget <code>', 'code du budget')
    .requiredOption('--out <dir>', 'dossier de sortie')
    .option('--bordereau <n>', "réécrit le fichier d'un bordereau de mandats déjà généré", nonNegativeInt)
    .option('--year <yyyy>', 'exercice du bordereau (avec --bordereau)', nonNegativeInt)
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const r = await (await ctx.get(DepenseBordereauService)).generate(opts.budget, { bordereau: opts.bordereau, year: opts.year, outDir: opts.out });
      ctx.output(opts, r, () => [
        ...r.items.map((i) => `Bordereau de mandats ${i.year}-${i.number} : ${n(i.mandats.length)} mandat(s), ${formatEuros(i.amount)} → ${i.fileName}`),
        ...r.files.map((f) => `Fichier : ${f}`),
        ...r.held.map((h) => `Retenu (train d'attente) : mandat ${h.mandat}, facture ${h.invoiceNumber}`),
        ...r.refused.map((x) => `Refusé : ${x.reason}`),
        ...(r.items.length ? [] : ['Aucun mandat à envoyer.']),
      ]);
    });
}

function mandatsCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('mandats')
    .description("Mandats du budget : à envoyer (retenus, refusés), envoyés et leur état chez Hélios (rejet avec l'erreur d'Hélios)")
    .requiredOption('--budget <code>', 'code du budget')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const o = await (await ctx.get(DepenseBordereauService)).overview(opts.budget);
      ctx.output(opts, o, () => [
        ...o.pending.map((p) => `À envoyer : mandat ${p.mandat}, facture ${p.invoiceNumber}, ${formatEuros(p.amount)}${p.held ? " — retenu (train d'attente)" : ''}${p.refusal ? ` — refusé : ${p.refusal}` : ''}${p.previousRejection ? ` — rejeté précédemment : ${p.previousRejection}` : ''}`),
        ...o.sent.map((s) => `Bordereau ${s.year}-${s.bordereauNumber} : mandat ${s.mandateNumber}, facture ${s.invoiceNumber} — ${s.stateLabel}${s.heliosReason ? ` (${s.heliosReason})` : ''}`),
        ...(o.pending.length || o.sent.length ? [] : ['Aucun mandat.']),
      ]);
    });
}

function releaseCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('liberer')
    .description("Libère un mandat du train d'attente (débit d'office) : il part avec le prochain bordereau")
    .requiredOption('--budget <code>', 'code du budget')
    .requiredOption('--mandat <numero>', 'numéro du mandat (ex. 2026-000012)')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const { structure } = await (await ctx.get(DepenseBordereauService)).budgetAndStructure(opts.budget);
      const r = await (await ctx.get(MandateExportService)).release([structure.id], opts.mandat, 'ligne de commande');
      ctx.output(opts, r, () => `Mandat ${r.number} libéré du train d'attente : il partira avec le prochain bordereau.`);
    });
}

function retourCommand(pes: Command, ctx: CliContext): void {
  pes
    .command('retour <file>')
    .description("Lit un PES_DepenseRetour d'Hélios : état des mandats, cessions-oppositions, paiements (les factures payées passent « Mise en paiement »)")
    .option('--json', 'sortie JSON')
    .action(async (file: string, opts) => {
      const r = await (await ctx.get(DepenseRetourService)).applyFile(file);
      ctx.output(opts, r, () => [
        r.message ?? `Retour ${r.nomFic ?? file} : budget ${r.budget}, ${n(r.mandats.length)} mandat(s) lu(s), ${n(r.paidInvoices)} facture(s) mise(s) en paiement.`,
        ...r.mandats.map((m) => {
          const pays = m.lines.flatMap((l) => l.payments.map((p) => `${p.label} ${formatEuros(p.amount)} le ${p.paidOn.split('-').reverse().join('/')}`));
          const cess = m.lines.filter((l) => l.cessOpp && l.cessOpp !== '01').map((l) => `ligne ${l.idLigne} : ${l.cessOppLabel}`);
          return `  Mandat ${m.mandat} (facture ${m.invoiceNumber}) : ${m.etatLabel}${m.reason ? ` — ${m.reason}` : ''}${pays.length ? ` ; ${pays.join(', ')}` : ''}${cess.length ? ` ; ${cess.join(', ')}` : ''}`;
        }),
        ...r.unknown.map((u) => `  Inconnu : mandat ${u.idPce} du bordereau ${u.year}-${u.bordereau} (jamais envoyé par Passerelle pour ce budget : non rapproché)`),
      ]);
    });
}
