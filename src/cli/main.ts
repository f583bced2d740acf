#!/usr/bin/env node
import 'reflect-metadata';
import { createAppContext } from '@/app.bootstrap';
import { buildProgram } from '@/cli/cli.program';
import { CliContext } from '@/common/cli/cli.context';
import { DomainError } from '@/common/errors/domain.error';
import { describeError } from '@/common/errors/error-description';

async function main(): Promise<void> {
  const ctx = new CliContext((config) => createAppContext({ config, logDestination: 2 }));
  try {
    await buildProgram(ctx).parseAsync(process.argv);
  } catch (err) {
    // In French whatever failed (domain rule, csv-parse, ENOSPC …); the original text follows as the technical detail.
    const d = describeError(err);
    const code = err instanceof DomainError || d.kind !== 'internal' ? `${d.code} : ` : '';
    const message = d.kind === 'internal' && err instanceof Error ? err.message : d.message;
    process.stderr.write(`Erreur : ${code}${message}\n`);
    if (d.technical && d.technical !== message) process.stderr.write(`Détail technique : ${d.technical}\n`);
    process.exitCode = process.exitCode || 1;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

void main();
