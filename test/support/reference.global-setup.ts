import { missingReferenceMessage, referencePresent, referenceRequired } from './shared';

/**
 * Runs once before the suites: the one line a fresh clone sees about the reference folder, or, under
 * CI=true, the failure of the whole run (CI must never go green by skipping the official schemas).
 */
export default async function referenceGlobalSetup(): Promise<void> {
  if (referencePresent()) return;
  if (referenceRequired()) throw new Error(`CI=true : ${missingReferenceMessage()}. Les tests qui valident contre les schémas officiels ne peuvent pas être sautés en CI.`);
  process.stderr.write(
    `\n[passerelle] ${missingReferenceMessage()} : les suites qui lisent les schémas et exemples officiels sont sautées ` +
      `(marquées « sautée » ci-dessous). Pour les lancer : PASSERELLE_SHARED_DIR=/chemin/vers/shared npm test\n\n`,
  );
}
