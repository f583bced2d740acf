import { Mutex } from 'async-mutex';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs work in one database transaction. PGlite has a single connection shared by every query runner, so
 * two interleaved transactions would mix: on PGlite transactions are serialised in-process.
 */
export class UnitOfWork {
  private readonly mutex: Mutex | null;

  constructor(readonly dataSource: DataSource) {
    this.mutex = isPglite(dataSource) ? new Mutex() : null;
  }

  get isEmbedded(): boolean {
    return this.mutex !== null;
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.mutex) return this.dataSource.transaction(work);
    return this.mutex.runExclusive(() => this.dataSource.transaction(work));
  }
}

export function isPglite(dataSource: DataSource): boolean {
  return Boolean((dataSource.options as { driver?: { Pool?: { name?: string } } }).driver?.Pool?.name === 'PGlitePool');
}
