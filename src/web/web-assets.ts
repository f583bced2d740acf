import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/**
 * The pages' static files live in src/web/assets (tsc compiles only .ts): resolved from the repository root,
 * which is one level above both src/ and dist/, so the service finds them whether it runs from either.
 */
export const ASSETS_DIR = resolve(__dirname, '..', '..', 'src', 'web', 'assets');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

// Lower-case names, up to two sub-folders: nothing else is ever served (no dotfiles, no "..").
const SAFE = /^(?:[a-z0-9-]+\/){0,2}[a-z0-9-]+\.(?:html|css|mjs|js|svg)$/;

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Reads assets once and keeps them in memory (a few tens of KB): the first screen costs no disk read. */
export class AssetStore {
  private readonly cache = new Map<string, Promise<Asset | null>>();

  constructor(private readonly root = ASSETS_DIR) {}

  get(relative: string): Promise<Asset | null> {
    if (!SAFE.test(relative)) return Promise.resolve(null);
    let found = this.cache.get(relative);
    if (!found) {
      found = this.load(relative);
      this.cache.set(relative, found);
    }
    return found;
  }

  private async load(relative: string): Promise<Asset | null> {
    const file = resolve(this.root, relative);
    if (!file.startsWith(this.root + sep)) return null;
    try {
      const body = await readFile(file);
      const ext = relative.slice(relative.lastIndexOf('.') + 1);
      return { body, type: TYPES[ext], etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    } catch {
      return null;
    }
  }
}
