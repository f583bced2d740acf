import { FactureRecipiendaire } from '@/chorus-pro/chorus-pro.types';
import { KnownInvoices } from '@/pull/pull-plan';
import { StatusToRecord } from '@/pull/pull-status.recorder';

/** Flows stored between two rounds of first statuses. */
const STATUS_ROUND = 200;

/**
 * Newly imported invoices get the status the search reported (recorded by the workflow). While importing (PostgreSQL)
 * this runs every STATUS_ROUND flows stored, looking up only the invoices whose group went to the import (the import
 * waits on its reader threads, the database has room); otherwise (the embedded database, whose single connection the
 * import's transactions hold) once the import ended, by `finish`.
 */
export class FirstStatuses {
  /** New invoices whose first status is not recorded yet (or whose entry changed since), by idFacture. */
  private readonly pending = new Map<number, FactureRecipiendaire>();
  private readonly downloadedIds = new Set<number>();
  private sinceRound = 0;
  private rounds: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      lookup: (cproIds: string[]) => Promise<KnownInvoices>;
      record: (found: StatusToRecord[]) => Promise<unknown>;
      whileImporting: boolean;
    },
  ) {}

  /** New invoices (or a more recent entry of one): their status is to record once they exist. */
  add(entries: FactureRecipiendaire[]): void {
    for (const e of entries) this.pending.set(e.idFacture, e);
  }

  /** A group handed to the import. */
  downloaded(group: FactureRecipiendaire[]): void {
    for (const e of group) this.downloadedIds.add(e.idFacture);
  }

  /** One flow stored. */
  stored(): void {
    if (!this.deps.whileImporting || ++this.sinceRound < STATUS_ROUND) return;
    this.sinceRound = 0;
    void this.round(false).catch(() => undefined); // its failure is seen by finish
  }

  /** Once the import ended: every status still pending whose invoice exists now. */
  async finish(): Promise<void> {
    await this.rounds;
    await this.round(true);
  }

  private round(all: boolean): Promise<void> {
    this.rounds = this.rounds.then(async () => {
      const candidates = [...this.pending.keys()].filter((id) => all || this.downloadedIds.has(id));
      if (candidates.length === 0) return;
      const imported = await this.deps.lookup(candidates.map(String));
      const found: StatusToRecord[] = [];
      for (const id of candidates) {
        const invoice = imported.get(String(id));
        if (!invoice) continue;
        found.push({ invoice, entry: this.pending.get(id)! });
        this.pending.delete(id);
      }
      await this.deps.record(found);
    });
    return this.rounds;
  }
}
