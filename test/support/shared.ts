import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The reference material (official XSDs, real Chorus Pro / Hélios samples) is read at test time from one
 * folder, never copied into the repository: `PASSERELLE_SHARED_DIR`, by default `../shared` beside the
 * checkout. A fresh clone has none: the suites that need it are skipped (one line says so, see
 * `reference.global-setup.ts`); under `CI=true` a missing reference is a failure, never a skip.
 */
export const SHARED_DIR = resolve(process.env.PASSERELLE_SHARED_DIR ?? resolve(__dirname, '..', '..', '..', 'shared'));
export const PASTELL_DIR = resolve(SHARED_DIR, 'reference', 'chorus-pro', 'pastell');
export const PES_REFERENCE = resolve(SHARED_DIR, 'reference', 'pes');

const REFERENCE_MARKER = resolve(SHARED_DIR, 'reference');

export function referencePresent(): boolean {
  return existsSync(REFERENCE_MARKER);
}

export function referenceRequired(): boolean {
  return process.env.CI === 'true';
}

export function missingReferenceMessage(): string {
  return `Référence absente : ${REFERENCE_MARKER} (dossier ../shared à côté du dépôt, ou PASSERELLE_SHARED_DIR=/chemin/vers/shared)`;
}

/** A path inside the reference folder; throws with the setting to fix when the file is missing. */
export function sharedPath(...parts: string[]): string {
  const p = resolve(SHARED_DIR, ...parts);
  if (!existsSync(p)) throw new Error(`Fichier de référence manquant : ${p} (réglage PASSERELLE_SHARED_DIR, défaut ../shared)`);
  return p;
}

/**
 * `describe` for a suite that reads the reference folder. Present: runs as usual. Absent: skipped (one
 * placeholder test, so the run lists what was skipped), or failed under CI=true. Read reference files inside
 * `beforeAll`/tests, not at module load, so that a fresh clone can load the file at all.
 */
export function describeWithReference(name: string, fn: () => void): void {
  if (referencePresent()) {
    describe(name, fn);
  } else if (referenceRequired()) {
    describe(name, () => {
      it('a besoin de la référence ../shared', () => {
        throw new Error(`CI=true : ${missingReferenceMessage()}`);
      });
    });
  } else {
    describe(name, () => {
      it.skip(`sautée : ${missingReferenceMessage()}`, () => undefined);
    });
  }
}

/** The same for a single test inside a suite that otherwise runs without the reference. */
export function itWithReference(name: string, fn: () => Promise<unknown> | unknown, timeout?: number): void {
  if (referencePresent()) it(name, fn as () => Promise<unknown>, timeout);
  else if (referenceRequired()) it(name, () => { throw new Error(`CI=true : ${missingReferenceMessage()}`); });
  else it.skip(`${name} — sautée : référence absente`, () => undefined);
}
