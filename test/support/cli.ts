import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { buildProgram } from '@/cli/cli.program';
import { CliContext } from '@/common/cli/cli.context';

const run = promisify(execFile);
export const CLI = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
  /** The last stdout line parsed as JSON (the `--json` contract). */
  json<T = unknown>(): T;
}

/** Runs the built `passerelle` command (dist/ is built by `npm ci` through the prepare script). */
export async function passerelle(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} est absent : lancer « npm run build » (npm ci le fait).`);
  let stdout = '';
  let stderr = '';
  let code = 0;
  try {
    ({ stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    ({ stdout, stderr } = e);
    code = e.code ?? 1;
  }
  return {
    stdout,
    stderr,
    code,
    json: <T>() => JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T,
  };
}

/**
 * The whole `passerelle` program run in this process against a test application (same services as
 * `node dist/cli/main.js`, no build needed): stdout lines, stderr text, exit code. Commander errors throw.
 */
export async function runCliInProcess(
  app: INestApplicationContext,
  args: string[],
): Promise<{ lines: string[]; stderr: string; exitCode: number }> {
  const lines: string[] = [];
  let stderr = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const previous = process.exitCode;
  process.exitCode = 0;
  try {
    const program = buildProgram(new CliContext(async () => app, { ownsApp: false }));
    const noExit = (c: Command): void => {
      c.exitOverride();
      c.commands.forEach(noExit);
    };
    noExit(program);
    await program.parseAsync(['node', 'passerelle', ...args]);
    return { lines, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
    process.exitCode = previous;
  }
}

const ROOT = resolve(__dirname, '..', '..');
/** Lets a child `node` run the TypeScript sources (no build): see test/pull/support/ts-register.js. */
export const TS_REGISTER = resolve(ROOT, 'test', 'pull', 'support', 'ts-register.js');

/**
 * The built `passerelle …` (dist/, as `passerelle()`) in a child process, for tests that kill it (kill -9) or run
 * several at once. `args` starting with `-e` run a script against the TypeScript sources instead.
 */
export function spawnPasserelle(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => { stdout: string; stderr: string } } {
  if (args[0] !== '-e' && !existsSync(CLI)) throw new Error(`${CLI} est absent : lancer « npm run build » (npm ci le fait).`);
  const argv = args[0] === '-e' ? ['-r', TS_REGISTER, ...args] : [CLI, ...args];
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

/** Waits for a spawned process to exit: its code (null when killed) and output. */
export function exited(child: ReturnType<typeof spawnPasserelle>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    if (child.exitCode !== null || child.signalCode !== null) return done({ code: child.exitCode, ...child.output() });
    child.on('error', fail);
    child.on('close', (code) => done({ code, ...child.output() }));
  });
}
