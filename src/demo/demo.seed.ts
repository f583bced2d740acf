import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { DomainError } from '@/common/errors/domain.error';
import { AppConfig } from '@/config/app.config';
import { DEMO_ACTIONS, planDemoDates } from '@/demo/demo-dates';
import { DemoRepository } from '@/demo/demo.repository';
import { IngestionService } from '@/ingestion/ingestion.service';
import { InvoiceActionsService } from '@/invoices/invoice-actions.service';
import { localDate } from '@/common/time/local-date';
import { StructureInput, StructuresService } from '@/structures/structures.service';
import { UsersService } from '@/users/users.service';

/** Demo accounts (one per role), created once; the password is shown at start: for a demonstration only. */
export const DEMO_PASSWORD = 'passerelle-demo';
export const DEMO_USERS = [
  { email: 'agent@demo.passerelle.fr', role: 'agent', label: 'agent du service financier' },
  { email: 'tresorier@demo.passerelle.fr', role: 'tresorier', label: 'trésorier' },
  { email: 'admin@demo.passerelle.fr', role: 'admin', label: 'gestionnaire principal (admin)' },
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
 * `npm run demo`: declares the fixtures' structures and the demo accounts, imports the fixtures' pivot flows,
 * moves their invoices' dates relative to today (late, due soon, fresh) and, the first time, suspends and
 * mandates a few as the demo agent would. Idempotent: re-running it imports nothing twice.
 */
export async function seedDemo(app: INestApplicationContext, config: AppConfig): Promise<{ invoices: number }> {
  const sirets = await declareFixtureStructures(app);
  const users = app.get(UsersService);
  const existing = new Set((await users.list(null)).map((u) => u.email));
  for (const u of DEMO_USERS) {
    if (!existing.has(u.email) && sirets.length) {
      await users.add({ email: u.email, role: u.role, structureSirets: sirets, password: DEMO_PASSWORD }, null);
    }
  }
  const pivotDir = join(fixturesDir(), 'pivot');
  const report = await app.get(IngestionService).importPaths([pivotDir], { source: 'cli' });

  const repository = new DemoRepository(app.get(DataSource));
  const invoices = await repository.invoicesOfFlows(fixtureFlowHashes(pivotDir));
  const today = localDate(app.get(Clock).now(), config.timezone);
  await repository.shiftDates(planDemoDates(invoices, today), config.timezone);
  if (report.invoices.created > 0 && sirets.length) await firstDayActions(app, invoices);
  return { invoices: invoices.length };
}

/** SHA-256 of each file of fixtures/pivot, in file name order (the flows' identity once imported). */
function fixtureFlowHashes(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'));
}

async function firstDayActions(app: INestApplicationContext, invoices: Awaited<ReturnType<DemoRepository['invoicesOfFlows']>>): Promise<void> {
  const agent = await app.get(UsersService).principalByEmail(DEMO_USERS[0].email);
  const actions = app.get(InvoiceActionsService);
  for (const a of DEMO_ACTIONS) {
    const invoice = invoices.find((i) => i.flowIndex === a.flowIndex && i.position === a.position);
    if (!invoice) continue;
    try {
      await actions.act(
        agent,
        a.action,
        invoice.id,
        a.action === 'suspend'
          ? { reasonCode: 'PJ_MANQUANTE', complement: 'bon de livraison signé demandé au fournisseur' }
          : { imputations: [{ article: '6068', fonction: '020' }] },
      );
    } catch (err) {
      // An invoice of the fixtures that cannot take the action (an anomaly, a credit note) is left as it is.
      if (!(err instanceof DomainError)) throw err;
      new Logger('Demo').warn(`Démonstration : ${a.action} impossible sur ${invoice.id} (${err.code})`);
    }
  }
}
