import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';

export function registerInvoicesCommands(_program: Command, _ctx: CliContext): void {}
