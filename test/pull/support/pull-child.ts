// A pull in a process of its own, killed with SIGKILL (kill -9) by itself at a chosen point: after the n-th flow stored,
// or when the n-th download arrives (test/pull/pull-kill.e2e-spec.ts). Input: PULL_CHILD (JSON).
import 'reflect-metadata';
import { createAppContext } from '@/app.bootstrap';
import { loadConfig } from '@/config/app.config';
import { DatabaseTarget } from '@/database/data-source.factory';
import { PullService } from '@/pull/pull.service';

interface ChildInput {
  target: DatabaseTarget;
  env: Record<string, string>;
  overrides: Record<string, unknown>;
  kill: { phase: 'store' | 'download'; at: number };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.PULL_CHILD ?? '{}') as ChildInput;
  const app = await createAppContext({ config: loadConfig(input.env, input.overrides), database: input.target });
  let seen = 0;
  await app.get(PullService).run({
    onProgress: (e) => {
      if (e.phase === input.kill.phase && ++seen === input.kill.at) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write('fini sans être tué\n');
  await app.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
