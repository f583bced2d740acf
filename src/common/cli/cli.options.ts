import { Command, InvalidArgumentError } from 'commander';

// Option parsers shared by the features' commands: French messages, commander shows them after the option.

/** A repeatable option (`--service A --service B`) gathered in a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** An integer ≥ 0. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('entier positif attendu');
  return n;
}

/** An instant in ISO-8601. */
export function isoDate(value: string): Date {
  const d = new Date(value);
  if (!value.trim() || Number.isNaN(d.getTime())) throw new InvalidArgumentError('date ISO-8601 attendue (ex. 2025-03-01T00:00:00+01:00)');
  return d;
}

/**
 * A command group (`invoices`, `pes`, `structures`…) declared once in `src/cli/cli.program.ts`
 * (`COMMAND_GROUPS`): features add their sub-commands to it, in any order.
 */
export function commandGroup(program: Command, name: string): Command {
  const group = program.commands.find((c) => c.name() === name);
  if (!group) throw new Error(`Groupe de commandes « ${name} » non déclaré dans COMMAND_GROUPS (src/cli/cli.program.ts)`);
  return group;
}
