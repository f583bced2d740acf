import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { AppConfig } from '@/config/app.config';
import { IngestionService } from '@/ingestion/ingestion.service';
import { StructureInput, StructuresService } from '@/structures/structures.service';

/** The repository's fixtures/ folder (demo data made by `npm run fixtures`). */
export function fixturesDir(): string {
  return resolve(__dirname, '..', '..', 'fixtures');
}

/**
 * `npm run demo`: declares the fixtures' structures and imports the fixtures' pivot flows, so a newcomer
 * sees invoices at once. Idempotent: re-running it imports nothing twice.
 */
export async function seedDemo(app: INestApplicationContext, _config: AppConfig): Promise<{ invoices: number }> {
  const logger = new Logger('Demo');
  const dir = fixturesDir();
  const structuresFile = join(dir, 'structures.json');
  if (existsSync(structuresFile)) {
    const structures = JSON.parse(readFileSync(structuresFile, 'utf8')) as StructureInput[];
    for (const s of structures) await app.get(StructuresService).upsert(s);
  }
  const report = await app.get(IngestionService).importPaths([join(dir, 'pivot')], { source: 'cli' });
  logger.log(
    `Démonstration : ${report.invoices.created} facture(s) importée(s) depuis fixtures/pivot ` +
      `(${report.flows.alreadyImported} flux déjà présents).`,
  );
  return { invoices: report.invoices.created };
}
