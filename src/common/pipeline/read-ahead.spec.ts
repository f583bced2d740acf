import { ReadAhead } from '@/common/pipeline/read-ahead';

function gate<T>() {
  let open!: (value: T) => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

describe('ReadAhead', () => {
  it('starts up to `count` items ahead and hands results back in order', async () => {
    const gates = [0, 1, 2, 3, 4].map(() => gate<number>());
    const started: number[] = [];
    const ra = new ReadAhead((i: number) => (started.push(i), gates[i].promise), { count: 2 }, [0, 1, 2, 3, 4]);
    const first = ra.take();
    await new Promise((r) => setImmediate(r));
    // Item 0 is taken (awaited), two more are ahead of it.
    expect(started).toEqual([0, 1, 2]);
    gates[1].open(11);
    gates[0].open(10);
    expect(await first).toEqual({ item: 0, value: 10 });
    for (const g of gates.slice(2)) g.open(0);
    expect((await ra.take())?.value).toBe(11);
    expect((await ra.take())?.item).toBe(2);
    expect((await ra.take())?.item).toBe(3);
    expect((await ra.take())?.item).toBe(4);
    expect(await ra.take()).toBeUndefined();
  });

  it('bounds the bytes in flight beyond the first item', async () => {
    const started: number[] = [];
    const ra = new ReadAhead(async (n: number, i) => (started.push(i), n), { count: 10, bytes: 100, sizeOf: (n) => n }, [50, 50, 50, 50]);
    await ra.take();
    // One taken; 50 + 50 ahead reach the budget.
    expect(started).toEqual([0, 1, 2]);
  });

  it('takes a batch while results are accepted; a failure is thrown at its own turn', async () => {
    const ra = new ReadAhead(
      async (n: number) => {
        if (n === 4) throw new Error('four');
        return n;
      },
      { count: 5 },
      [1, 2, 3, 4, 5],
    );
    const batch = await ra.takeBatch(10, (_v, b) => b.length < 2);
    expect(batch.map((b) => b.value)).toEqual([1, 2]);
    expect((await ra.takeBatch(10)).map((b) => b.value)).toEqual([3]);
    await expect(ra.takeBatch(10)).rejects.toThrow('four');
    expect((await ra.takeBatch(10)).map((b) => b.value)).toEqual([5]);
    expect(await ra.takeBatch(10)).toEqual([]);
  });

  it('abandon settles what was started and cleans up the successes, starting nothing new', async () => {
    const started: number[] = [];
    const cleaned: number[] = [];
    const ra = new ReadAhead(
      async (n: number) => {
        started.push(n);
        if (n === 2) throw new Error('two');
        return n;
      },
      { count: 3 },
      [1, 2, 3, 4],
    );
    await ra.take();
    await ra.abandon(async (v) => void cleaned.push(v));
    expect(started).toEqual([1, 2, 3, 4]);
    expect(cleaned).toEqual([3, 4]);
    expect(await ra.take()).toBeUndefined();
  });

  it('open: takers wait for pushed items until closed; a batch takes only what already arrived', async () => {
    const ra = new ReadAhead(async (n: number) => n * 10, { count: 4 });
    const first = ra.take();
    ra.push(1);
    expect(await first).toEqual({ item: 1, value: 10 });
    ra.push(2, 3);
    expect((await ra.takeBatch(10)).map((b) => b.value)).toEqual([20, 30]);
    const last = ra.takeBatch(10);
    ra.close();
    expect(await last).toEqual([]);
    expect(() => ra.push(4)).toThrow(/fermé/);
  });
});
