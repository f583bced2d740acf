import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { ALL_INVOICES } from '@/users/principal';
import { registerInvoiceActionCommands } from '@/invoices/invoice-actions.cli';

export function registerInvoicesCommands(program: Command, ctx: CliContext): void {
  const invoices = program.command('invoices').description('Factures reçues');
  registerInvoiceActionCommands(program, ctx);

  invoices
    .command('list')
    .description('Liste les factures (toutes structures : commande locale de l’exploitant)')
    .option('--status <S>', 'statut interne (A_TRAITER, MANDATEE, …), plusieurs séparés par des virgules')
    .option('--structure <SIRET>', 'structure destinataire')
    .option('--anomaly <CODE>', "code d'anomalie, ou * pour toute anomalie")
    .option('--limit <n>', 'nombre maximum de factures', '100000')
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { status?: string; structure?: string; anomaly?: string; limit: string; json?: boolean }) => {
      const service = await ctx.get(InvoicesQueryService);
      const max = Number(opts.limit);
      const items = [];
      let cursor: string | undefined;
      do {
        const page = await service.list(
          ALL_INVOICES,
          { status: opts.status?.split(','), structure: opts.structure, anomaly: opts.anomaly },
          Math.min(500, max - items.length),
          cursor,
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < max);
      if (opts.json) {
        ctx.printJson(
          items.map((i) => ({
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
          })),
        );
        return;
      }
      for (const i of items) {
        ctx.print(
          `${i.id}  ${i.number.padEnd(20)} ${i.supplierName.slice(0, 30).padEnd(30)} ${i.netAmount.padStart(16)}  ${i.status}` +
            (i.anomalies.length ? `  [${i.anomalies.join(', ')}]` : ''),
        );
      }
    });
}
