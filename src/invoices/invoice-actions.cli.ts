import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { collect, commandGroup } from '@/common/cli/cli.options';
import { DomainError } from '@/common/errors/domain.error';
import { formatFrenchDate, parseFrenchAmount } from '@/common/money/french-format';
import { BulkResult, InvoiceActionsService } from '@/invoices/invoice-actions.service';
import {
  ACTION_INPUTS,
  ActionInputField,
  InvoiceStatus,
  ruleOf,
  STATUS_LABELS,
  TransitionRule,
  USER_ACTIONS,
  UserAction,
} from '@/invoices/invoice-state.machine';
import { ActionInput } from '@/invoices/invoice-transition.service';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { ImputationInput, Train } from '@/invoices/mandates.service';
import { scopeOf } from '@/users/principal';
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

/** The options of one input the state machine says an action takes (ACTION_INPUTS). */
const INPUT_OPTIONS: Record<ActionInputField, (command: Command, rule: TransitionRule) => void> = {
  // Not a commander `requiredOption`: the state machine refuses without a motif (REASON_REQUIRED), in the
  // --json results like any other refusal.
  reason: (command, rule) => command.option('--reason <code>', `code de motif${rule.reasonRequired ? ', obligatoire' : ''} (passerelle reasons list)`),
  complement: (command, rule) => command.option('--complement <text>', rule.reasonRequired ? 'complément du motif' : 'motif libre'),
  imputations: (command) =>
    command.option(
      '--imputation <spec>',
      'article=…,fonction=…,operation=…,service=…,amount=…,engagement=… ; montant en euros, « 919,87 » ou « 919.87 » (répétable)',
      collect,
      [],
    ),
  train: (command) => command.option('--train <train>', 'normal | attente'),
};

const IMPUTATION_KEYS = ['article', 'fonction', 'operation', 'service', 'amount', 'engagement'] as const;

/**
 * « article=6064,fonction=020,service=COMPTA,amount=919,87,engagement=EJ1 » → an imputation. Parts are cut
 * at the commas that start a new `key=`, so a French decimal comma stays inside the amount.
 */
export function parseImputation(spec: string): ImputationInput {
  const out: Record<string, string> = {};
  for (const part of spec.split(/,(?=\s*[A-Za-z_][\w-]*\s*=)/)) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!key) continue;
    if (!(IMPUTATION_KEYS as readonly string[]).includes(key)) {
      throw new DomainError('IMPUTATION_INVALID', `Imputation : clé inconnue « ${key} » (${IMPUTATION_KEYS.join(', ')})`);
    }
    out[key] = eq < 0 ? '' : part.slice(eq + 1).trim();
  }
  // Typed the French way ("919,87", "1 494,60 €"): the mandate's own check then applies (2 decimals at most).
  if (out.amount) out.amount = parseFrenchAmount(out.amount) ?? out.amount;
  return out as unknown as ImputationInput;
}

interface ActionOptions {
  as: string;
  reason?: string;
  complement?: string;
  imputation?: string[];
  train?: Train;
  json?: boolean;
}

/**
 * `passerelle invoices <action> <ref…> --as EMAIL`: the same rules as the API for that user (roles,
 * structures, state machine); a reference is an invoice id or its number. With --json the last stdout line
 * is `{"results":[…]}`; the exit code is 1 when an invoice was refused.
 */
export function registerInvoiceActionCommands(program: Command, ctx: CliContext): void {
  const invoices = commandGroup(program, 'invoices');
  for (const action of USER_ACTIONS) {
    const rule = ruleOf(action);
    const command = invoices
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<refs...>', 'factures : identifiants ou numéros (un numéro porté par plusieurs factures est refusé, avec la liste)')
      .requiredOption('--as <email>', 'utilisateur au nom duquel agir (ses rôles et structures s’appliquent)');
    for (const field of ACTION_INPUTS[action]) INPUT_OPTIONS[field](command, rule);
    command
      .option('--json', 'résultats JSON sur la dernière ligne')
      .action((refs: string[], opts: ActionOptions) => runAction(ctx, action, refs, opts));
  }
}

async function runAction(ctx: CliContext, action: UserAction, refs: string[], opts: ActionOptions): Promise<void> {
  const principal = await (await ctx.get(UsersService)).principalByEmail(opts.as);
  const query = await ctx.get(InvoicesQueryService);
  const input: ActionInput = {
    reasonCode: opts.reason,
    complement: opts.complement,
    imputations: opts.imputation?.length ? opts.imputation.map(parseImputation) : undefined,
    train: opts.train,
  };
  // Each reference on its own, as the bulk action treats each invoice: an unknown number refuses only itself.
  const resolved: Array<{ reference: string; id?: string; error?: DomainError }> = [];
  for (const reference of refs) {
    try {
      resolved.push({ reference, id: await query.resolveReference(scopeOf(principal), reference) });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      resolved.push({ reference, error: err });
    }
  }
  const ids = resolved.flatMap((r) => (r.id ? [r.id] : []));
  const { results } = ids.length ? await (await ctx.get(InvoiceActionsService)).bulk(principal, action, ids, input) : { results: [] };
  const byId = new Map(results.map((r) => [r.id, r]));
  const out: Array<BulkResult & { reference: string }> = resolved.map((r) =>
    r.error ? { id: r.reference, ok: false, code: r.error.code, message: r.error.message, reference: r.reference } : { ...byId.get(r.id!)!, reference: r.reference },
  );
  if (out.some((r) => !r.ok)) process.exitCode = 1;
  ctx.output(opts, { results: out }, ({ results: list }) => list.map(resultLine));
}

function resultLine(r: BulkResult & { reference: string }): string {
  const who = r.reference === r.id ? r.id : `${r.reference} (${r.id})`;
  if (!r.ok) return `${r.reference}  REFUSÉ ${r.code} : ${r.message}`;
  const due = r.dueDate ? `  échéance ${formatFrenchDate(r.dueDate)}` : '';
  return `${who}  ${STATUS_LABELS[r.status as InvoiceStatus] ?? r.status}${r.mandateNumber ? `  mandat ${r.mandateNumber}` : ''}${due}`;
}
