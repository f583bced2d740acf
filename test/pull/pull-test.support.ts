import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SimulatorOptions, StartedSimulator, startSimulator } from '@/chorus-pro/simulator/simulator.server';
import { SimInvoice } from '@/chorus-pro/simulator/simulator.state';
import { StructuresService } from '@/structures/structures.service';
import { createTestApp, TestApp } from '@test/support/test-app';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef';

/**
 * The client's call timeout in tests. A normal call to the in-process simulator must never reach it, even on a
 * loaded machine where PGlite (same thread) can hold the event loop for seconds: a too short timeout turns a
 * slow answer into an « unknown outcome » and the test fails for the wrong reason. A `hang` fault costs this.
 */
export const TEST_CALL_TIMEOUT_MS = 10_000;

export interface PullHarness {
  sim: StartedSimulator;
  t: TestApp;
  get<T>(type: abstract new (...args: never[]) => T): T;
  db: DataSource;
  close(): Promise<void>;
}

/** Configuration pointing the application at a simulator, with short retries so fault tests stay quick. */
export function chorusProConfig(sim: StartedSimulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    chorusPro: {
      apiUrl: sim.apiUrl,
      tokenUrl: sim.tokenUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      timeoutMs: TEST_CALL_TIMEOUT_MS,
      maxRetries: 4,
      retryBaseMs: 50,
      retryMaxMs: 1000,
      pageSize: 50,
      ...extra,
    },
  };
}

/**
 * The application on a throwaway database, talking real HTTP to an in-process simulator. `accounts`: the
 * simulator's structures declared in Passerelle with their technical accounts (all by default).
 */
export async function startPullHarness(
  simOptions: SimulatorOptions = {},
  options: { chorusPro?: Record<string, unknown>; accounts?: number } = {},
): Promise<PullHarness> {
  const sim = await startSimulator({ structures: 2, invoices: 10, ...simOptions });
  const t = await createTestApp({ env: { PASSERELLE_SECRET_KEY: TEST_SECRET_KEY }, config: chorusProConfig(sim, options.chorusPro) });
  const app: INestApplication = t.app;
  const structures = app.get(StructuresService);
  for (const s of sim.state.structures.slice(0, options.accounts ?? sim.state.structures.length)) {
    await structures.upsert({
      siret: s.siret,
      name: s.name,
      services: s.demo.services.map((x) => ({ code: x.code, label: x.label, active: x.active })),
      serviceRequired: s.demo.serviceRequired,
      engagementRequired: s.demo.engagementRequired,
      paymentDelayDays: s.demo.paymentDelayDays,
    });
    await structures.setTechnicalAccount(s.siret, s.login, s.password);
  }
  return {
    sim,
    t,
    get: <T>(type: abstract new (...args: never[]) => T) => app.get(type as never) as T,
    db: app.get(DataSource),
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

export async function countInvoices(db: DataSource): Promise<number> {
  const rows: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM invoices`);
  return Number(rows[0].n);
}

/** A simulator invoice made an ordinary one (FACTURE, cadre A1): never a works invoice, whatever the seed drew. */
export function ordinaryInvoice(i: SimInvoice): SimInvoice {
  i.typeDemandePaiement = 'FACTURE';
  i.spec.cadre = 'A1';
  i.cadre = 'A1';
  return i;
}
