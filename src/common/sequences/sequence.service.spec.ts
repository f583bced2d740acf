import { DataSource } from 'typeorm';
import { SequenceService } from '@/common/sequences/sequence.service';
import { openDataSource } from '@/database/data-source.factory';
import { UnitOfWork } from '@/database/unit-of-work';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

describe('SequenceService (gapless numbering)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let uow: UnitOfWork;
  const sequences = new SequenceService();

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.target);
    uow = new UnitOfWork(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('numbers from 1 per scope and year', async () => {
    expect(await uow.run((em) => sequences.next(em, 'mandate:A', 2026))).toBe(1);
    expect(await uow.run((em) => sequences.next(em, 'mandate:A', 2026))).toBe(2);
    expect(await uow.run((em) => sequences.next(em, 'mandate:A', 2027))).toBe(1);
    expect(await uow.run((em) => sequences.next(em, 'mandate:B', 2026))).toBe(1);
    expect(await uow.run((em) => sequences.current(em, 'mandate:A', 2026))).toBe(2);
  });

  it('gives the number back when the transaction rolls back (no gap)', async () => {
    await expect(
      uow.run(async (em) => {
        await sequences.next(em, 'rollback', 2026);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await uow.run((em) => sequences.next(em, 'rollback', 2026))).toBe(1);
  });

  it('never gives the same number twice under concurrency, and skips none', async () => {
    const n = 40;
    const got = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        uow
          .run(async (em) => {
            const v = await sequences.next(em, 'concurrent', 2026);
            // Every fifth transaction fails after allocating: its number must be reused by another one.
            if (i % 5 === 0) throw new Error('rollback');
            return v;
          })
          .catch(() => null),
      ),
    );
    const numbers = got.filter((v): v is number => v !== null).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
  });
});
