import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The reference material beside the checkout (`../shared`), read at test time, never copied. */
export const SHARED_DIR = resolve(__dirname, '..', '..', '..', 'shared');
export const PASTELL_DIR = resolve(SHARED_DIR, 'reference', 'chorus-pro', 'pastell');

export function sharedPath(...parts: string[]): string {
  const p = resolve(SHARED_DIR, ...parts);
  if (!existsSync(p)) throw new Error(`Reference file missing (../shared is expected beside the checkout): ${p}`);
  return p;
}
