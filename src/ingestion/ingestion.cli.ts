import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';

export function registerIngestionCommands(_program: Command, _ctx: CliContext): void {}
