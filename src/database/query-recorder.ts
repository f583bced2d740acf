import { BeforeQueryEvent, DataSource, EntitySubscriberInterface } from 'typeorm';

export interface RecordedQuery {
  sql: string;
  params: unknown[];
}

/**
 * The SQL the application sends, as sent (TypeORM's beforeQuery event, PostgreSQL and PGlite alike): the web bench
 * times the very query a page ran, raw, and the tests check that no page load counts a whole table.
 */
export class QueryRecorder implements EntitySubscriberInterface {
  readonly queries: RecordedQuery[] = [];

  private constructor(private readonly dataSource: DataSource) {}

  static attach(dataSource: DataSource): QueryRecorder {
    const recorder = new QueryRecorder(dataSource);
    dataSource.subscribers.push(recorder);
    return recorder;
  }

  beforeQuery(event: BeforeQueryEvent<unknown>): void {
    this.queries.push({ sql: event.query, params: [...(event.parameters ?? [])] });
  }

  /** Queries recorded while `fn` ran (other requests in flight would show too: record one at a time). */
  async during(fn: () => Promise<unknown>): Promise<RecordedQuery[]> {
    const from = this.queries.length;
    await fn();
    return this.queries.slice(from);
  }

  detach(): void {
    const i = this.dataSource.subscribers.indexOf(this);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
  }
}
