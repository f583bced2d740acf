import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as lockfile from 'proper-lockfile';

/**
 * PGlite is a single-process database: two processes writing one data directory corrupt it. Each process
 * takes this lock first and refuses to start when another holds it.
 *
 * The lock (proper-lockfile: a directory whose mtime the holder refreshes) only turns stale 15 s after its holder
 * stopped refreshing it. The holder also writes its pid and host beside it: a lock whose holder is a process of this
 * machine that no longer exists (killed with -9, power cut) is taken over at once instead of refusing for 15 s.
 */
export async function acquirePgliteLock(dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  const lockPath = `${dir}.lock`;
  const holderPath = `${dir}.lock-holder`;
  const take = async () => {
    const release = await lockfile.lock(dir, { lockfilePath: lockPath, stale: 15_000, update: 5_000, retries: 0 });
    writeFileSync(holderPath, JSON.stringify({ pid: process.pid, host: hostname() }));
    return async () => {
      rmSync(holderPath, { force: true });
      await release();
    };
  };
  try {
    return await take();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    if (deadHolder(holderPath)) {
      rmSync(lockPath, { recursive: true, force: true });
      try {
        return await take();
      } catch (again) {
        if ((again as { code?: string }).code !== 'ELOCKED') throw again; // another process took it meanwhile
      }
    }
    throw new Error(
      `La base embarquée ${dir} est déjà utilisée par un autre processus Passerelle (le service lancé par ` +
        `« npm run demo » ou « npm start », ou une autre commande) : elle n'accepte qu'un processus à la fois. ` +
        `Arrêtez ce processus (Ctrl-C dans son terminal) puis relancez la commande ; ou lancez-la sur un autre dossier ` +
        `(DATA_DIR=./autre-dossier npx passerelle …) ; ou faites travailler le service et les commandes ensemble sur ` +
        `PostgreSQL (DATABASE_URL=postgres://…).`,
    );
  }
}

/** The recorded holder is a process of this host that is gone (signal 0: ESRCH). Unknown holder: not dead. */
function deadHolder(holderPath: string): boolean {
  let holder: { pid?: unknown; host?: unknown };
  try {
    holder = JSON.parse(readFileSync(holderPath, 'utf8')) as typeof holder;
  } catch {
    return false;
  }
  if (typeof holder.pid !== 'number' || holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
