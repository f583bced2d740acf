import { Command } from 'commander';
import { CliContext, CliRegistrar } from '@/common/cli/cli.context';
import { frenchCommander } from '@/cli/cli.french';
import { registerChorusProCommands } from '@/chorus-pro/chorus-pro.cli';
import { registerDirectoryCommands } from '@/directory/directory.cli';
import { registerIngestionCommands } from '@/ingestion/ingestion.cli';
import { registerInvoiceActionCommands } from '@/invoices/invoice-actions.cli';
import { registerInvoicesCommands } from '@/invoices/invoices.cli';
import { registerLateInterestCommands } from '@/late-interest/late-interest.cli';
import { registerReasonsCommands } from '@/invoices/reasons.cli';
import { registerDepensePesCommands } from '@/pes/depense/depense-pes.cli';
import { registerPesCommands } from '@/pes/pes.cli';
import { registerPaymentsCommands } from '@/payments/payments.cli';
import { registerStoreCommands } from '@/ingestion/store.cli';
import { registerPullCommands } from '@/pull/pull.cli';
import { registerStatusReturnCommands } from '@/status-return/status-return.cli';
import { registerStructuresCommands } from '@/structures/structures.cli';
import { registerUsersCommands } from '@/users/users.cli';

/**
 * The command groups, in the order `passerelle --help` lists them. A feature adds sub-commands to a group
 * with `commandGroup(program, name)` (src/common/cli/cli.options.ts); a new group is one line here.
 */
export const COMMAND_GROUPS: ReadonlyArray<[name: string, description: string]> = [
  ['structures', 'Structures destinataires (un SIRET par budget)'],
  ['inbox', 'Dossier de dépôt des flux (mode portail)'],
  ['invoices', 'Factures reçues'],
  ['reasons', 'Motifs de rejet et de suspension'],
  ['users', 'Utilisateurs (agent, tresorier, admin) et jetons d’API'],
  ['status', 'Retour des statuts vers Chorus Pro (mode api)'],
  ['status-flow', 'Flux de statuts CPPStatut (mode fichier)'],
  ['annuaire', 'Annuaire des structures publiques (Chorus Pro)'],
  ['pes', 'Flux PES pour Hélios'],
  ['titres', 'Titres de recettes'],
  ['interets-moratoires', 'Intérêts moratoires des factures payées en retard (code de la commande publique)'],
  ['paiements', 'Paiements reçus par les fournisseurs (retours Hélios)'],
  ['store', 'Stockage des fichiers (flux bruts, pièces jointes)'],
];

/**
 * Every feature's commands (`src/<feature>/<feature>.cli.ts`: thin calls into its services), all listed
 * here and nowhere else; the order does not matter (groups exist before any registrar runs).
 */
export const COMMAND_REGISTRARS: readonly CliRegistrar[] = [
  registerStructuresCommands,
  registerIngestionCommands,
  registerInvoicesCommands,
  registerInvoiceActionCommands,
  registerReasonsCommands,
  registerUsersCommands,
  registerPullCommands,
  registerChorusProCommands,
  registerStatusReturnCommands,
  registerDirectoryCommands,
  registerPesCommands,
  registerLateInterestCommands,
  registerDepensePesCommands,
  registerPaymentsCommands,
  registerStoreCommands,
];

export const VERSION = '0.1.0';

export function buildProgram(ctx: CliContext): Command {
  const program = frenchCommander(
    new Command('passerelle').description('Passerelle : factures Chorus Pro (flux pivot), retour des statuts, PES pour Hélios'),
    VERSION,
  );
  for (const [name, description] of COMMAND_GROUPS) program.command(name).description(description);
  for (const register of COMMAND_REGISTRARS) register(program, ctx);
  return program;
}
