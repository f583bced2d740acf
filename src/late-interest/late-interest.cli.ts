import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup } from '@/common/cli/cli.options';
import { formatEuros, formatFrenchDate, formatFrenchDecimal, NBSP } from '@/common/money/french-format';
import { DAYS_IN_YEAR, LateInterestFigures, RATE_MARGIN_POINTS } from '@/late-interest/late-interest.calculator';
import { LateInterestItem, LateInterestService } from '@/late-interest/late-interest.service';
import { LateInterestRatesService, RateView } from '@/late-interest/late-interest-rates.service';
import { UsersService } from '@/users/users.service';
import { ALL_INVOICES } from '@/users/principal';

export function registerLateInterestCommands(program: Command, ctx: CliContext): void {
  const group = commandGroup(program, 'interets-moratoires');
  group
    .command('lister')
    .description('« Intérêts moratoires à mandater » : factures payées après leur échéance et le calcul (toutes structures : commande locale de l’exploitant)')
    .option('--structure <SIRET>', 'une structure')
    .option('--json', 'résultat JSON sur la dernière ligne (montants exacts)')
    .action(async (opts: { structure?: string; json?: boolean }) => {
      const list = await (await ctx.get(LateInterestService)).list(ALL_INVOICES, opts.structure);
      ctx.output(opts, list, (l) => [
        ...l.items.map(itemLine),
        `${l.items.length} facture(s) payée(s) en retard, à mandater : ${formatEuros(l.total)}${l.inError ? ` (${l.inError} sans calcul, taux manquant)` : ''}.`,
      ]);
    });
  group
    .command('taux')
    .description('Taux de la BCE par semestre et taux des intérêts moratoires (+ 8 points), avec leur source')
    .option('--json', 'résultat JSON sur la dernière ligne')
    .action(async (opts: { json?: boolean }) => {
      const rates = await (await ctx.get(LateInterestRatesService)).list();
      ctx.output(opts, rates, (r) => r.map(rateLine));
    });
  group
    .command('definir-taux')
    .description("Saisit ou corrige le taux de la BCE d'un semestre commencé (administrateur)")
    .requiredOption('--semestre <S>', 'AAAA-S1, AAAA-S2, ou le premier jour du semestre (AAAA-01-01, AAAA-07-01)')
    .requiredOption('--taux <pourcentage>', 'taux des opérations principales de refinancement en vigueur le premier jour, en % (2,15)')
    .requiredOption('--source <texte>', 'source : décision de la BCE, publication de la Banque de France…')
    .requiredOption('--as <email>', 'administrateur au nom duquel agir')
    .option('--json', 'résultat JSON sur la dernière ligne')
    .action(async (opts: { semestre: string; taux: string; source: string; as: string; json?: boolean }) => {
      const principal = await (await ctx.get(UsersService)).principalByEmail(opts.as);
      const saved = await (await ctx.get(LateInterestRatesService)).set(principal, opts.semestre, opts.taux, opts.source);
      ctx.output(opts, saved, (r) => `Taux enregistré : ${rateLine(r)}`);
    });
}

function percent(value: string): string {
  return `${formatFrenchDecimal(value)}${NBSP}%`;
}

/** « 45 j × 11,15 % sur 3 277,42 € = 45,05 € + indemnité 40,00 € = 85,05 € ». */
export function computationText(f: LateInterestFigures): string {
  return (
    `${f.daysLate} j de retard (du ${formatFrenchDate(f.runsFrom)} au ${formatFrenchDate(f.paidOn)}) × ${percent(f.rate)} ` +
    `(BCE ${percent(f.ecbRate)} + ${RATE_MARGIN_POINTS} points) / ${DAYS_IN_YEAR} sur ${formatEuros(f.base)} = ${formatEuros(f.interest)} ` +
    `+ indemnité forfaitaire ${formatEuros(f.indemnity)} = ${formatEuros(f.total)}`
  );
}

function itemLine(i: LateInterestItem): string {
  const head = `${i.number}  ${i.supplierName.slice(0, 30)}  échéance ${formatFrenchDate(i.dueDate)}, payée le ${formatFrenchDate(i.paidOn)}`;
  if (!i.figures) return `${head} : ${i.error?.message ?? 'non calculé'}`;
  return `${head} : ${computationText(i.figures)} (à payer avant le ${formatFrenchDate(i.figures.payBefore)})`;
}

function rateLine(r: RateView): string {
  return `${r.label}  BCE ${percent(r.ecbRate)}  intérêts moratoires ${percent(r.lateInterestRate)}  (${r.source} ; ${r.updatedBy})`;
}
