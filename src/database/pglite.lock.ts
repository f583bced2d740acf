import { mkdirSync } from 'node:fs';
import * as lockfile from 'proper-lockfile';

/**
 * PGlite is a single-process database: two processes writing one data directory corrupt it. Each process
 * takes this lock first and refuses to start when another holds it.
 */
export async function acquirePgliteLock(dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  try {
    return await lockfile.lock(dir, { lockfilePath: `${dir}.lock`, stale: 15_000, update: 5_000, retries: 0 });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') {
      throw new Error(
        `La base embarquée ${dir} est déjà utilisée par un autre processus Passerelle (le service lancé par ` +
          `« npm run demo » ou « npm start », ou une autre commande) : elle n'accepte qu'un processus à la fois. ` +
          `Arrêtez ce processus (Ctrl-C dans son terminal) puis relancez la commande ; ou lancez-la sur un autre dossier ` +
          `(DATA_DIR=./autre-dossier npx passerelle …) ; ou faites travailler le service et les commandes ensemble sur ` +
          `PostgreSQL (DATABASE_URL=postgres://…).`,
      );
    }
    throw err;
  }
}
