import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { registerPesCommands } from '@/pes/pes.cli';
import { registerIngestionCommands } from '@/ingestion/ingestion.cli';
import { registerInvoicesCommands } from '@/invoices/invoices.cli';
import { registerStructuresCommands } from '@/structures/structures.cli';
import { registerPullCommands } from '@/pull/pull.cli';
import { registerChorusProCommands } from '@/chorus-pro/chorus-pro.cli';
import { registerUsersCommands } from '@/users/users.cli';
import { registerStatusReturnCommands } from '@/status-return/status-return.cli';

/** Each feature registers its own commands (`src/<feature>/<feature>.cli.ts`), thin calls into its services. */
export const COMMAND_REGISTRARS: Array<(program: Command, ctx: CliContext) => void> = [
  registerStructuresCommands,
  registerIngestionCommands,
  registerInvoicesCommands,
  registerUsersCommands,
  registerPesCommands,
  registerPullCommands,
  registerChorusProCommands,
  registerStatusReturnCommands,
];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('passerelle')
    .description('Passerelle : factures Chorus Pro (flux pivot), retour des statuts, PES ASAP pour Hélios')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMAND_REGISTRARS) register(program, ctx);
  return program;
}
