import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatEuros, formatFrenchDate } from '@/common/money/french-format';
import { StructuresService } from '@/structures/structures.service';
import { PaymentsExplainService } from '@/payments/payments-explain.service';

/** `paiements expliquer`: a transfer received by a supplier, explained (all declared structures: the CLI is the operator's). */
export function registerPaymentsCommands(program: Command, ctx: CliContext): void {
  commandGroup(program, 'paiements')
    .command('expliquer')
    .description('Virement reçu : la ou les factures réglées, et l’écart avec le net à payer expliqué ligne à ligne')
    .requiredOption('--montant <montant>', 'montant reçu (ex. 1234,56)')
    .requiredOption('--date <aaaa-mm-jj>', 'date du virement')
    .option('--fournisseur <siret>', 'SIRET du fournisseur')
    .option('--jours <n>', 'écart de dates admis, ± jours (5 par défaut)', nonNegativeInt)
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const structures = (await (await ctx.get(StructuresService)).list()).map((s) => s.id);
      const r = await (await ctx.get(PaymentsExplainService)).explain(structures, { amount: opts.montant, date: opts.date, supplier: opts.fournisseur, days: opts.jours });
      ctx.output(opts, r, () => [
        r.message,
        ...r.matches.flatMap((m) => [
          `Paiement d'Hélios du ${formatFrenchDate(m.paidOn)} à ${m.supplierName} (${m.supplierId}) : ${formatEuros(m.total)}`,
          ...m.invoices.flatMap((i) => [
            `  Facture ${i.invoiceNumber} (mandat ${i.mandateNumber}) : net à payer ${formatEuros(i.netAmount)}, payé par ce virement ${formatEuros(i.paidHere)}, écart ${formatEuros(i.gap)}`,
            ...i.lines.map((l) => `    - ${l.label}`),
          ]),
          ...(m.unexplained ? [`  ${m.unexplained}`] : []),
        ]),
      ]);
    });
}
