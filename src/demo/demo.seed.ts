import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { AppConfig } from '@/config/app.config';
import { IngestionService } from '@/ingestion/ingestion.service';
import { StructureInput, StructuresService } from '@/structures/structures.service';
import { UsersService } from '@/users/users.service';

/** Demo accounts (one per role), created once; the password is shown at start: for a demonstration only. */
export const DEMO_PASSWORD = 'passerelle-demo';
export const DEMO_USERS = [
  { email: 'admin@demo.passerelle.fr', role: 'admin' },
  { email: 'agent@demo.passerelle.fr', role: 'agent' },
  { email: 'tresorier@demo.passerelle.fr', role: 'tresorier' },
] as const;

/** The repository's fixtures/ folder (demo data made by `npm run fixtures`). */
export function fixturesDir(): string {
  return resolve(__dirname, '..', '..', 'fixtures');
}

/** Declares the structures of fixtures/structures.json (demo mode, tests); returns their SIRETs (none without the file). */
export async function declareFixtureStructures(app: INestApplicationContext): Promise<string[]> {
  const structuresFile = join(fixturesDir(), 'structures.json');
  if (!existsSync(structuresFile)) return [];
  const structures = JSON.parse(readFileSync(structuresFile, 'utf8')) as StructureInput[];
  for (const s of structures) await app.get(StructuresService).upsert(s);
  return structures.map((s) => s.siret);
}

/**
 * `npm run demo`: declares the fixtures' structures and imports the fixtures' pivot flows, so a newcomer
 * sees invoices at once. Idempotent: re-running it imports nothing twice.
 */
export async function seedDemo(app: INestApplicationContext, _config: AppConfig): Promise<{ invoices: number }> {
  const logger = new Logger('Demo');
  const dir = fixturesDir();
  const sirets = await declareFixtureStructures(app);
  const users = app.get(UsersService);
  const existing = new Set((await users.list(null)).map((u) => u.email));
  for (const u of DEMO_USERS) {
    if (!existing.has(u.email) && sirets.length) {
      await users.add({ email: u.email, role: u.role, structureSirets: sirets, password: DEMO_PASSWORD }, null);
    }
  }
  logger.log(
    `Comptes de démonstration (mot de passe « ${DEMO_PASSWORD} ») : ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`,
  );
  const report = await app.get(IngestionService).importPaths([join(dir, 'pivot')], { source: 'cli' });
  logger.log(
    `Démonstration : ${report.invoices.created} facture(s) importée(s) depuis fixtures/pivot ` +
      `(${report.flows.alreadyImported} flux déjà présents).`,
  );
  return { invoices: report.invoices.created };
}
