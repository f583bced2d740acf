import { StartedSimulator, startSimulator, SimulatorOptions } from '@/chorus-pro/simulator/simulator.server';
import { Clock, FixedClock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructuresService } from '@/structures/structures.service';
import { StatusPushService } from '@/status-return/status-push.service';
import { createOutboxInvoices, OutboxInvoiceDraft, outboxRows } from '@test/support/outbox.factory';
import { createTestApp, TestApp } from '@test/support/test-app';
import { TEST_CALL_TIMEOUT_MS } from '@test/pull/pull-test.support';

const SECRET = 'test-secret-key-0123456789abcdef';

interface Harness {
  sim: StartedSimulator;
  t: TestApp;
  clock: FixedClock;
  push: StatusPushService;
  siret: string;
  close(): Promise<void>;
}

async function start(simOptions: SimulatorOptions, statusReturn: Record<string, unknown> = {}, chorusPro: Record<string, unknown> = {}): Promise<Harness> {
  const sim = await startSimulator({ structures: 1, invoices: 0, ...simOptions });
  const clock = new FixedClock(new Date('2026-03-02T10:00:00Z'));
  const t = await createTestApp({
    env: { PASSERELLE_SECRET_KEY: SECRET },
    overrides: [{ provide: Clock, useValue: clock }],
    config: {
      chorusPro: {
        apiUrl: sim.apiUrl,
        tokenUrl: sim.tokenUrl,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        timeoutMs: TEST_CALL_TIMEOUT_MS,
        // The sender's own backoff (driven by the Clock) is under test, not the client's retries.
        maxRetries: 0,
        callsPerSecond: 1000,
        ...chorusPro,
      },
      statusReturn: { retryBaseSeconds: 30, retryMaxSeconds: 900, ...statusReturn },
    },
  });
  const s = sim.state.structures[0];
  const structures = t.app.get(StructuresService);
  await structures.upsert({ siret: s.siret, name: s.name });
  await structures.setTechnicalAccount(s.siret, s.login, s.password);
  return {
    sim,
    t,
    clock,
    push: t.app.get(StatusPushService),
    siret: s.siret,
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

/** Invoices deposited on the simulator, known to Passerelle (same IdCPRO), with the statuses owed. */
async function owed(h: Harness, statuses: OutboxInvoiceDraft['statuses'][], cadre = 'A1') {
  const simInvoices = h.sim.state.addInvoices(statuses.length, { structure: h.sim.state.structures[0] });
  for (const i of simInvoices) i.cadre = cadre;
  const created = await createOutboxInvoices(
    h.t,
    h.siret,
    simInvoices.map((i, k) => ({ cproId: String(i.idFacture), cadre, statuses: statuses[k] })),
  );
  return created.map((c, k) => ({ ...c, idFacture: simInvoices[k].idFacture }));
}

/** Statuses Chorus Pro received for an invoice after its deposit, in order. */
function received(h: Harness, idFacture: number): string[] {
  return h.sim.state
    .invoice(idFacture)
    .history.map((x) => x.histoStatutCode)
    .filter((c) => c !== 'DEPOSEE' && c !== 'MISE_A_DISPOSITION');
}

async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 2));
}

describe('status push (mode api) against the simulator', () => {
  it('survives an outage of several minutes in the middle of 1,000 rows: every row sent once, in order', async () => {
    const h = await start({ rate: 10_000 }, { batchSize: 100, concurrency: 8, breakerFailures: 10 });
    try {
      const invoices = await owed(h, Array.from({ length: 500 }, (_, k) => [{ status: 'SERVICE_FAIT' }, { status: 'MANDATEE', mandateNumber: `M2026-${k + 1}` }]));
      const traiter = () => h.sim.state.stats.calls['factures/v1/traiter/recue'] ?? 0;

      // Chorus Pro goes down after 300 calls, while the run is going.
      const run1 = h.push.push();
      await waitFor(() => traiter() >= 300);
      h.sim.state.injectFault({ kind: 'status', status: 503, times: 1_000_000 });
      const first = await run1;
      expect(first.sent).toBeGreaterThanOrEqual(300);
      expect(first.sent).toBeLessThan(1000);
      expect(first.failed).toBe(0);
      expect(first.pending).toBe(1000 - first.sent);

      // Minutes pass (cron every minute); the outage goes on: each run stops after a few failures.
      for (let minute = 1; minute <= 6; minute++) {
        h.clock.set(new Date(h.clock.now().getTime() + 60_000));
        const during = await h.push.push();
        expect(during.sent).toBe(0);
      }
      const rows = await outboxRows(h.t);
      expect(rows.filter((r) => r.state === 'sending')).toEqual([]);

      // Recovery.
      h.sim.state.faults.length = 0;
      let total = first.sent;
      for (let minute = 0; minute < 30 && total < 1000; minute++) {
        h.clock.set(new Date(h.clock.now().getTime() + 60_000));
        total += (await h.push.push()).sent;
      }
      expect(total).toBe(1000);
      const done = await outboxRows(h.t);
      expect(done.every((r) => r.state === 'sent' && r.sentVia === 'api')).toBe(true);
      for (const inv of invoices) expect(received(h, inv.idFacture)).toEqual(['SERVICE_FAIT', 'MANDATEE']);
      // No row was accepted twice (a second SERVICE_FAIT → 20002 would have shown in the history anyway).
      const history = await h.t.app.get(UnitOfWork).dataSource.query(`SELECT count(*)::int AS n FROM invoice_history WHERE step = 'STATUS_SENT'`);
      expect(Number(history[0].n)).toBe(1000);
    } finally {
      await h.close();
    }
  });

  it('sends a 255-character motif of emoji whole (counted and cut in code points, as the action counted it)', async () => {
    const h = await start({});
    try {
      const reason = `Doublon : ${'😀'.repeat(245)}`; // 255 characters, 500 UTF-16 units
      const [inv] = await owed(h, [[{ status: 'REJETEE', reason }]]);
      expect(await h.push.push()).toEqual({ sent: 1, alreadyThere: 0, failed: 0, pending: 0 });
      expect(h.sim.state.invoice(inv.idFacture).commentaire).toBe(reason);
    } finally {
      await h.close();
    }
  });

  it('20002 when Chorus Pro already has the status: the row is done', async () => {
    const h = await start({});
    try {
      const [inv] = await owed(h, [[{ status: 'REJETEE', reason: 'Doublon' }]]);
      h.sim.state.setStatus(inv.idFacture, 'REJETEE', 'saisi sur le portail');
      expect(await h.push.push()).toEqual({ sent: 0, alreadyThere: 1, failed: 0, pending: 0 });
      expect((await outboxRows(h.t))[0]).toMatchObject({ state: 'sent', sentVia: 'api' });
      expect(received(h, inv.idFacture)).toEqual(['REJETEE']);
    } finally {
      await h.close();
    }
  });

  it('20002 when the transition is refused: the row fails, the history says so, later rows wait', async () => {
    const h = await start({});
    try {
      const [inv, other] = await owed(h, [[{ status: 'SERVICE_FAIT' }, { status: 'MANDATEE', mandateNumber: 'M1' }], [{ status: 'SERVICE_FAIT' }]]);
      h.sim.state.setStatus(inv.idFacture, 'REJETEE', 'rejetée par ailleurs');
      expect(await h.push.push()).toEqual({ sent: 1, alreadyThere: 0, failed: 1, pending: 1 });
      const rows = await outboxRows(h.t);
      expect(rows.find((r) => r.id === inv.outboxIds[0])).toMatchObject({ state: 'failed', errorCode: 'CPP_20002' });
      expect(rows.find((r) => r.id === inv.outboxIds[0])?.lastError).toMatch(/Incohérence au niveau du statut/);
      expect(rows.find((r) => r.id === inv.outboxIds[1])?.state).toBe('pending');
      expect(rows.find((r) => r.id === other.outboxIds[0])?.state).toBe('sent');
      const history = await h.t.app.get(UnitOfWork).dataSource.query(
        `SELECT label, details FROM invoice_history WHERE invoice_id = $1 AND step = 'STATUS_RETURN_ERROR'`,
        [inv.invoiceId],
      );
      expect(history).toHaveLength(1);
      expect(history[0].label).toBe('Retour Chorus Pro en erreur');
      expect(history[0].details.message).toMatch(/REJETEE/);
      // The staff abandon it (entered by hand): the next row is still refused → fails too, nothing lost silently.
      h.clock.set(new Date(h.clock.now().getTime() + 60_000));
      expect((await h.push.push()).pending).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('walks intermediate statuses (SERVICE_FAIT before MANDATEE in a works cadre), one call at a time', async () => {
    const h = await start({});
    try {
      const [inv] = await owed(h, [[{ status: 'MANDATEE', mandateNumber: 'M2026-7' }]], 'A4');
      expect(await h.push.push()).toEqual({ sent: 1, alreadyThere: 0, failed: 0, pending: 0 });
      expect(received(h, inv.idFacture)).toEqual(['SERVICE_FAIT', 'MANDATEE']);
      expect(h.sim.state.stats.calls['transverses/v1/recuperer/etats/traitement']).toBeGreaterThanOrEqual(2);
      const steps = await h.t.app.get(UnitOfWork).dataSource.query(`SELECT label FROM invoice_history WHERE invoice_id = $1 AND step = 'STATUS_SENT' ORDER BY id`, [inv.invoiceId]);
      expect(steps.map((s: { label: string }) => s.label)).toEqual(['Statut intermédiaire Service fait transmis à Chorus Pro', 'Statut Mandatée transmis à Chorus Pro']);
    } finally {
      await h.close();
    }
  });

  it('after a call with an unknown outcome (timeout), reads the history before sending again', async () => {
    const h = await start({});
    try {
      const [inv] = await owed(h, [[{ status: 'SUSPENDUE', reason: 'RIB absent' }]]);
      h.sim.state.injectFault({ kind: 'hang', endpoint: 'factures/v1/traiter/recue' });
      expect(await h.push.push()).toMatchObject({ sent: 0, pending: 1 });
      // What Chorus Pro did with the lost call: it applied it.
      h.sim.state.setStatus(inv.idFacture, 'SUSPENDUE', 'RIB absent');
      const traiterBefore = h.sim.state.stats.calls['factures/v1/traiter/recue'];
      h.clock.set(new Date(h.clock.now().getTime() + 20 * 60_000));
      expect(await h.push.push()).toEqual({ sent: 0, alreadyThere: 1, failed: 0, pending: 0 });
      expect(h.sim.state.stats.calls['factures/v1/traiter/recue']).toBe(traiterBefore);
      expect(received(h, inv.idFacture)).toEqual(['SUSPENDUE']);
    } finally {
      await h.close();
    }
  });

  it('rides 429 storms: backs off, loses nothing, sends each row once', async () => {
    const h = await start({ rate: 5 }, { concurrency: 8, breakerFailures: 5, batchSize: 50 }, { callsPerSecond: 200 });
    try {
      const invoices = await owed(h, Array.from({ length: 20 }, () => [{ status: 'SERVICE_FAIT' }, { status: 'MISE_EN_PAIEMENT' }]));
      // A storm of injected 429 (Retry-After) on traiter/recue, on top of a real mismatch: Chorus Pro accepts
      // 5 calls/s while Passerelle's quota lets 200/s leave.
      h.sim.state.injectFault({ kind: 'status', status: 429, retryAfterS: 1, endpoint: 'factures/v1/traiter/recue', times: 25 });
      let total = 0;
      for (let run = 0; run < 300 && total < 40; run++) {
        total += (await h.push.push()).sent;
        h.clock.set(new Date(h.clock.now().getTime() + 20 * 60_000));
        // The minute between two cron runs, compressed: the simulator's bucket refills in real time.
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(total).toBe(40);
      expect(h.sim.state.stats.rejected429).toBeGreaterThan(0);
      expect(h.sim.state.faults).toEqual([]);
      for (const inv of invoices) expect(received(h, inv.idFacture)).toEqual(['SERVICE_FAIT', 'MISE_EN_PAIEMENT']);
      const rows = await outboxRows(h.t);
      expect(rows.every((r) => r.state === 'sent')).toBe(true);
    } finally {
      await h.close();
    }
  });
});
