/** How far a ReadAhead runs ahead of its consumer. */
export interface ReadAheadLimits<T> {
  /** Items started and not yet taken, at most. */
  count: number;
  /** Beyond one item ahead, started items weigh at most this much (memory: large flows, large downloads). */
  bytes?: number;
  /** Weight of an item for `bytes` (its file size, the `taille` of a group); 0 when absent. */
  sizeOf?: (item: T) => number | Promise<number>;
}

/**
 * Starts work on the next items while the consumer handles the current ones, and hands results back in order:
 * the reading of flow N+1 (reader thread) overlaps the storing of flow N (database), the download of group N+1 the
 * import of group N. Bounded by count and by bytes. A failed item rejects when its turn comes, not before, so the
 * consumer sees failures in order. `abandon` settles what was started and lets the caller clean it up (temp files),
 * for a consumer that stops early.
 */
export class ReadAhead<T, R> {
  private readonly items: T[];
  private readonly started: Array<{ item: T; bytes: number; result: Promise<R> }> = [];
  private next = 0;
  private bytesAhead = 0;
  private filling: Promise<void> = Promise.resolve();
  private closed: boolean;
  /** A consumer waiting for items to be pushed (open read-ahead). */
  private arrival: { promise: Promise<void>; wake: () => void } | null = null;

  /**
   * `items` given: those and no others. Without: an open read-ahead fed by `push` (downloads arriving) until `close`;
   * taking waits for items.
   */
  constructor(
    private readonly start: (item: T, index: number) => Promise<R>,
    private readonly limits: ReadAheadLimits<T>,
    items?: readonly T[],
  ) {
    this.items = [...(items ?? [])];
    this.closed = items !== undefined;
  }

  /** More items, started as room allows (open read-ahead only). */
  push(...items: T[]): void {
    if (this.closed) throw new Error('ReadAhead fermé : plus aucun élément accepté');
    this.items.push(...items);
    this.wake();
    void this.fill();
  }

  /** No more items will be pushed: takers get undefined once the last one is taken. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Items not yet taken (started or not), pushed so far. */
  get remaining(): number {
    return this.items.length - this.next + this.started.length;
  }

  /** Items pushed and never started (cleanup after a failure: their temp files). */
  unstarted(): T[] {
    return this.items.slice(this.next);
  }

  /** Waits until an item can be taken or none ever will; false in that last case. */
  private async available(): Promise<boolean> {
    while (this.remaining === 0 && !this.closed) {
      this.arrival ??= (() => {
        let wake!: () => void;
        const promise = new Promise<void>((resolve) => (wake = resolve));
        return { promise, wake };
      })();
      await this.arrival.promise;
    }
    return this.remaining > 0;
  }

  private wake(): void {
    const arrival = this.arrival;
    this.arrival = null;
    arrival?.wake();
  }

  /** Items started and not yet taken. */
  get ahead(): number {
    return this.started.length;
  }

  /** The next item's result, in order; undefined once every item was taken. */
  async take(): Promise<{ item: T; value: R } | undefined> {
    if (!(await this.available())) return undefined;
    await this.fill();
    const head = this.started.shift();
    if (!head) return undefined;
    this.bytesAhead -= head.bytes;
    // Refilled before waiting: the freed place is used while this item finishes.
    await this.fill();
    return { item: head.item, value: await head.result };
  }

  /**
   * Up to `max` next results, in order: waits for the first, then takes the following ones while `accept` says so
   * (a batch closes on an item that does not fit). Empty once every item was taken.
   */
  async takeBatch(max: number, accept: (value: R, batch: R[]) => boolean = () => true): Promise<Array<{ item: T; value: R }>> {
    const batch: Array<{ item: T; value: R }> = [];
    if (!(await this.available())) return batch;
    // Beyond the first, only items already pushed: a batch does not wait for downloads still to come.
    while (batch.length < max && this.remaining > 0) {
      await this.fill();
      const head = this.started[0];
      if (!head) break;
      const value = await head.result.catch((err: unknown) => {
        if (batch.length > 0) return FAILED;
        this.started.shift();
        this.bytesAhead -= head.bytes;
        throw err;
      });
      // A failure after the first item ends the batch: it is thrown when its own turn comes.
      if (value === FAILED || (batch.length > 0 && !accept(value as R, batch.map((b) => b.value)))) break;
      this.started.shift();
      this.bytesAhead -= head.bytes;
      batch.push({ item: head.item, value: value as R });
    }
    await this.fill();
    return batch;
  }

  /** Waits for everything started (nothing new starts) and hands each success to `cleanup`. */
  async abandon(cleanup: (value: R, item: T) => Promise<void> = async () => undefined): Promise<void> {
    this.closed = true;
    this.next = this.items.length;
    this.wake();
    await this.filling.catch(() => undefined);
    const pending = this.started.splice(0);
    this.bytesAhead = 0;
    await Promise.all(pending.map((p) => p.result.then((value) => cleanup(value, p.item), () => undefined).catch(() => undefined)));
  }

  private fill(): Promise<void> {
    // Serialised: sizes may be asynchronous (a stat) and two fills must not start the same item.
    this.filling = this.filling.catch(() => undefined).then(() => this.fillNow());
    return this.filling;
  }

  private async fillNow(): Promise<void> {
    const { count, bytes: budget = Infinity, sizeOf } = this.limits;
    while (this.next < this.items.length && this.started.length < count && (this.started.length === 0 || this.bytesAhead < budget)) {
      const index = this.next++;
      const item = this.items[index];
      const bytes = sizeOf ? await sizeOf(item) : 0;
      const result = this.start(item, index);
      result.catch(() => undefined); // observed when its turn comes
      this.started.push({ item, bytes, result });
      this.bytesAhead += bytes;
    }
  }
}

const FAILED = Symbol('failed');
