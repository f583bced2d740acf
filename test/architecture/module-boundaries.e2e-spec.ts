import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A module reaches another through its port or public service, never its repository (brief, « Style »): only the
 * composition roots (app.module.ts, the CLI program) and the benchmarks, which set data up as an administrator
 * would, may import another feature's repository. Checked on the sources, so a new import breaks the suite.
 */
const SRC = join(__dirname, '..', '..', 'src');
const MAY_IMPORT_ANY = [/^app\.module\.ts$/, /^cli\//, /^bench\//];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('module boundaries', () => {
  it('no feature imports the repository of another feature', () => {
    const crossings: string[] = [];
    for (const file of sources(SRC)) {
      const path = relative(SRC, file).split('\\').join('/');
      if (MAY_IMPORT_ANY.some((rule) => rule.test(path))) continue;
      const feature = path.split('/')[0];
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '@\/([\w-]+)\/[\w.-]+\.repository'/g)) {
        if (target !== feature) crossings.push(`${path} → ${target}`);
      }
    }
    expect(crossings).toEqual([]);
  });
});
