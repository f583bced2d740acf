import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { registerIngestionCommands } from '@/ingestion/ingestion.cli';
import { registerInvoicesCommands } from '@/invoices/invoices.cli';
import { registerStructuresCommands } from '@/structures/structures.cli';

/** Each feature registers its own commands (`src/<feature>/<feature>.cli.ts`), thin calls into its services. */
export const COMMAND_REGISTRARS: Array<(program: Command, ctx: CliContext) => void> = [
  registerStructuresCommands,
  registerIngestionCommands,
  registerInvoicesCommands,
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
