import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext } from '@/app.bootstrap';
import { loadConfig } from '@/config/app.config';
import { acquirePgliteLock } from '@/database/pglite.lock';

describe('embedded PGlite database directory', () => {
  it('refuses a second process (or context) on the same directory with a clear French message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passerelle-lock-'));
    const release = await acquirePgliteLock(join(dir, 'pglite'));
    try {
      await expect(
        createAppContext({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }) }),
      ).rejects.toThrow(/déjà utilisée par un autre processus Passerelle.*npm run demo.*Ctrl-C.*DATA_DIR=.*DATABASE_URL/s); // says what to do
    } finally {
      await release();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
