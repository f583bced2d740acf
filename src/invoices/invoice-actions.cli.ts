import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { DomainError } from '@/common/errors/domain.error';
import { InvoiceActionsService } from '@/invoices/invoice-actions.service';
import { STATUS_LABELS, InvoiceStatus, USER_ACTIONS, UserAction } from '@/invoices/invoice-state.machine';
import { ImputationInput, Train } from '@/invoices/mandates.service';
import { ReasonsService } from '@/invoices/reasons.service';
import { StructuresService } from '@/structures/structures.service';
import { UsersService } from '@/users/users.service';

const DESCRIPTIONS: Record<UserAction, string> = {
  record: 'Facturer (enregistrer en comptabilité, sans mandat)',
  'service-done': 'Certifier le service fait',
  mandate: 'Mandater (crée le mandat ; --imputation répétable)',
  reject: 'Rejeter avec un motif (--reason)',
  suspend: 'Suspendre avec un motif (--reason)',
  recycle: 'Recycler (mauvais destinataire ou service)',
  'cancel-rejection': "Annuler le rejet tant qu'il n'est pas parti vers Chorus Pro",
  'end-suspension': 'Lever la suspension',
  payment: 'Mise en paiement (trésorier)',
};

const IMPUTATION_KEYS = ['article', 'fonction', 'operation', 'service', 'amount', 'engagement'] as const;

/** « article=6064,fonction=020,operation=,service=COMPTA,amount=120.50,engagement=EJ1 » → an imputation. */
export function parseImputation(spec: string): ImputationInput {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!key) continue;
    if (!(IMPUTATION_KEYS as readonly string[]).includes(key)) {
      throw new DomainError('IMPUTATION_INVALID', `Imputation : clé inconnue « ${key} » (${IMPUTATION_KEYS.join(', ')})`);
    }
    out[key] = eq < 0 ? '' : part.slice(eq + 1).trim();
  }
  return out as unknown as ImputationInput;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `passerelle invoices <action> <id…> --as EMAIL`: the same rules as the API for that user (roles,
 * structures, state machine). With --json the last stdout line is `{"results":[…]}`; the exit code is 1 when
 * an invoice was refused.
 */
export function registerInvoiceActionCommands(program: Command, ctx: CliContext): void {
  const invoices = program.commands.find((c) => c.name() === 'invoices') ?? program.command('invoices').description('Factures reçues');
  for (const action of USER_ACTIONS) {
    invoices
      .command(`${action} <ids...>`)
      .description(DESCRIPTIONS[action])
      .requiredOption('--as <email>', 'utilisateur au nom duquel agir (ses rôles et structures s’appliquent)')
      .option('--reason <code>', 'code de motif (passerelle reasons list)')
      .option('--complement <text>', 'complément du motif')
      .option('--imputation <spec>', 'article=…,fonction=…,operation=…,service=…,amount=…,engagement=… (répétable)', collect, [])
      .option('--train <train>', 'normal | attente')
      .option('--json', 'résultats JSON sur la dernière ligne')
      .action(async (ids: string[], opts: { as: string; reason?: string; complement?: string; imputation: string[]; train?: Train; json?: boolean }) => {
        const principal = await (await ctx.get(UsersService)).principalByEmail(opts.as);
        const { results } = await (await ctx.get(InvoiceActionsService)).bulk(principal, action, ids, {
          reasonCode: opts.reason,
          complement: opts.complement,
          imputations: opts.imputation.length ? opts.imputation.map(parseImputation) : undefined,
          train: opts.train,
        });
        if (results.some((r) => !r.ok)) process.exitCode = 1;
        if (opts.json) return ctx.printJson({ results });
        for (const r of results) {
          if (r.ok) {
            ctx.print(`${r.id}  ${STATUS_LABELS[r.status as InvoiceStatus] ?? r.status}${r.mandateNumber ? `  mandat ${r.mandateNumber}` : ''}`);
          } else {
            ctx.print(`${r.id}  REFUSÉ ${r.code} : ${r.message}`);
          }
        }
      });
  }

  const reasons = program.command('reasons').description('Motifs de rejet et de suspension');
  reasons
    .command('list')
    .description('Liste les motifs (codes à passer à --reason)')
    .option('--all', 'y compris les motifs désactivés')
    .option('--structure <siret>', "motifs d'une structure (par défaut : la liste livrée, config/reasons.json)")
    .option('--json', 'tableau JSON sur la dernière ligne')
    .action(async (opts: { all?: boolean; json?: boolean; structure?: string }) => {
      const structure = opts.structure ? await (await ctx.get(StructuresService)).get(opts.structure) : null;
      const list = await (await ctx.get(ReasonsService)).list(structure?.id ?? null, Boolean(opts.all));
      if (opts.json) return ctx.printJson(list);
      for (const r of list) ctx.print(`${r.code.padEnd(24)} ${r.label}  [${r.actions.join(', ')}]${r.active ? '' : ' (désactivé)'}`);
    });
}
