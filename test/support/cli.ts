import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

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
