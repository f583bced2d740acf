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

/**
 * The reader threads (flow-reader.worker.ts) load only what reading needs: NestJS (and rxjs) or TypeORM in their import
 * graph cost each thread ~0.2 s of start-up, paid at every pull and CLI run. Walks the `import … from` graph of the
 * sources (the `@/` alias and relative paths); type-only imports are erased by the compiler and not followed.
 */
const HEAVY_FOR_READER = /^(@nestjs\/|typeorm$|rxjs$|class-validator$|class-transformer$|@nestjs$)/;

function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
}

function resolveSource(from: string, spec: string): string | null {
  const base = spec.startsWith('@/') ? join(SRC, spec.slice(2)) : spec.startsWith('.') ? join(from, '..', spec) : null;
  if (!base) return null;
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

describe('reader thread', () => {
  it('imports neither NestJS nor TypeORM, directly or through the code it loads', () => {
    const seen = new Set<string>();
    const heavy: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of runtimeImports(file)) {
        const local = resolveSource(file, spec);
        if (local) walk(local);
        else if (HEAVY_FOR_READER.test(spec)) heavy.push(`${relative(SRC, file)} → ${spec}`);
      }
    };
    walk(join(SRC, 'ingestion', 'flow-reader.worker.ts'));
    expect(seen.size).toBeGreaterThan(10); // the walk did follow the graph
    expect(heavy).toEqual([]);
  });
});
