import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquirePgliteLock } from '@/database/pglite.lock';
import { exited, spawnPasserelle } from '@test/support/cli';

/**
 * After a kill -9, the next command used to be refused for ~15 s (« déjà utilisée par un autre processus »): the lock
 * only went stale once its holder stopped refreshing it. A dead holder's lock is now taken over at once.
 */
describe('embedded PGlite lock of a killed process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-lock-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken over at once when its holder was killed; a live holder still refuses', async () => {
    const pglite = join(dir, 'pglite');
    const script = `require('@/database/pglite.lock').acquirePgliteLock(${JSON.stringify(pglite)}).then(() => { console.log('locked'); setInterval(() => undefined, 1000); })`;
    const holder = spawnPasserelle(['-e', script], {});
    await new Promise<void>((ready, fail) => {
      holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && ready());
      holder.on('close', () => fail(new Error(`le processus a fini sans verrouiller : ${holder.output().stderr}`)));
    });
    await expect(acquirePgliteLock(pglite)).rejects.toThrow(/déjà utilisée par un autre processus/);

    holder.kill('SIGKILL');
    await exited(holder);
    // Straight after the kill, well within the 15 s the stale rule would need.
    const release = await acquirePgliteLock(pglite);
    await release();
  });
});
