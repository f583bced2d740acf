import { Clock, FixedClock } from '@/clock/clock.port';
import { seedDemo } from '@/demo/demo.seed';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { ALL_INVOICES } from '@/users/principal';
import { AuthService } from '@/users/auth.service';
import { createTestApp, TestApp } from '@test/support/test-app';

describe('npm run demo: the fixtures shown relative to today', () => {
  let t: TestApp;
  const clock = new FixedClock(new Date('2026-11-20T08:30:00Z'));

  async function invoices() {
    const { items } = await t.app.get(InvoicesQueryService).list(ALL_INVOICES, {}, 100);
    return items;
  }

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: Clock, useValue: clock }] });
    await t.app.init();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a realistic mix: late, due within days, fresh, suspended and mandated — not « 597 j de retard »', async () => {
    const seeded = await seedDemo(t.app, t.config);
    expect(seeded.invoices).toBe(18);
    const list = await invoices();
    expect(list).toHaveLength(18);
    const open = list.filter((i) => i.status === 'A_TRAITER' && i.daysLeft !== null);
    expect(open.filter((i) => i.daysLeft! < 0).length).toBeGreaterThanOrEqual(3); // late
    expect(open.filter((i) => i.daysLeft! >= 0 && i.daysLeft! <= 10).length).toBeGreaterThanOrEqual(3); // due soon
    expect(open.filter((i) => i.daysLeft! > 20).length).toBeGreaterThanOrEqual(3); // fresh
    expect(Math.min(...list.map((i) => i.daysLeft ?? 0))).toBeGreaterThan(-30);
    expect(list.filter((i) => i.status === 'SUSPENDUE')).toHaveLength(2);
    expect(list.filter((i) => i.status === 'MANDATEE')).toHaveLength(2);
    for (const i of list) expect(i.receptionDate <= '2026-11-20' && i.receptionDate >= '2026-09-01').toBe(true);
    // The demo accounts of the README log in with the README's password.
    for (const email of ['agent@demo.passerelle.fr', 'tresorier@demo.passerelle.fr', 'admin@demo.passerelle.fr']) {
      await expect(t.app.get(AuthService).login(email, 'passerelle-demo')).resolves.toMatchObject({ principal: { email } });
    }
  });

  it('is idempotent the same day, and keeps the same picture on a later day', async () => {
    const before = await invoices();
    await seedDemo(t.app, t.config);
    expect(await invoices()).toEqual(before);
    clock.advanceDays(9);
    await seedDemo(t.app, t.config);
    const later = await invoices();
    expect(later).toHaveLength(18);
    const byId = new Map(before.map((i) => [i.id, i]));
    for (const i of later) {
      const was = byId.get(i.id)!;
      expect([i.number, i.status, i.daysLeft]).toEqual([was.number, was.status, was.daysLeft]);
      expect(i.receptionDate > was.receptionDate).toBe(true);
    }
  });
});
