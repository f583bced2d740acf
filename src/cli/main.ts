#!/usr/bin/env node
import 'reflect-metadata';
import { createAppContext } from '@/app.bootstrap';
import { buildProgram } from '@/cli/cli.program';
import { CliContext } from '@/common/cli/cli.context';
import { DomainError } from '@/common/errors/domain.error';

async function main(): Promise<void> {
  const ctx = new CliContext((config) => createAppContext({ config, logDestination: 2 }));
  try {
    await buildProgram(ctx).parseAsync(process.argv);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof DomainError ? `${err.code} : ` : '';
    process.stderr.write(`Erreur : ${code}${message}\n`);
    process.exitCode = process.exitCode || 1;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

void main();
