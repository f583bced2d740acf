import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatEuros, formatFrenchDate } from '@/common/money/french-format';
import { InvoiceStatus, STATUS_LABELS } from '@/invoices/invoice-state.machine';
import { InvoiceListItem, InvoicesQueryService } from '@/invoices/invoices-query.service';
import { ALL_INVOICES } from '@/users/principal';

export function registerInvoicesCommands(program: Command, ctx: CliContext): void {
  listCommand(commandGroup(program, 'invoices'), ctx);
}

function listCommand(invoices: Command, ctx: CliContext): void {
  invoices
    .command('list')
    .description('Liste les factures (toutes structures : commande locale de l’exploitant)')
    .option('--status <S>', 'statut interne (A_TRAITER, MANDATEE, …), plusieurs séparés par des virgules')
    .option('--structure <SIRET>', 'structure destinataire')
    .option('--anomaly <CODE>', "code d'anomalie, ou * pour toute anomalie")
    .option('--limit <n>', 'nombre maximum de factures', nonNegativeInt, 100000)
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { status?: string; structure?: string; anomaly?: string; limit: number; json?: boolean }) => {
      const service = await ctx.get(InvoicesQueryService);
      const items: InvoiceListItem[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.list(
          ALL_INVOICES,
          { status: opts.status?.split(','), structure: opts.structure, anomaly: opts.anomaly },
          Math.min(500, opts.limit - items.length),
          cursor,
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < opts.limit);
      const json = items.map((i) => ({
        id: i.id,
        number: i.number,
        supplierId: i.supplierId,
        supplierName: i.supplierName,
        recipientSiret: i.recipientSiret,
        serviceCode: i.serviceCode,
        type: i.type,
        status: i.status,
        netAmount: i.netAmount,
        anomalies: i.anomalies,
        cppStatus: i.cppStatus,
        dueDate: i.dueDate,
      }));
      ctx.output(opts, json, () => items.map(listLine));
    });
}

function listLine(i: InvoiceListItem): string {
  const due = i.dueDate ? `  échéance ${formatFrenchDate(i.dueDate)}` : '';
  return (
    `${i.id}  ${i.number.padEnd(20)} ${i.supplierName.slice(0, 30).padEnd(30)} ${formatEuros(i.netAmount).padStart(18)}  ` +
    `${STATUS_LABELS[i.status as InvoiceStatus] ?? i.status}${due}` +
    (i.anomalies.length ? `  [${i.anomalies.join(', ')}]` : '')
  );
}
