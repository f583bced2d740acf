import { FactureRecipiendaire } from '@/chorus-pro/chorus-pro.types';
import { DownloadGroupPlanner } from '@/pull/download-groups';
import { StatusToRecord } from '@/pull/pull-status.recorder';

export type KnownInvoices = Map<string, { id: string; cppStatus: string | null }>;

/**
 * What a pull does with the search's entries, decided page by page as they arrive (so that downloads start from the
 * first page): an invoice already stored gets its status recorded (`changes`), a new one is downloaded (groups) and
 * created, one that Chorus Pro still holds on the works side (`held`) is neither. The same invoice seen twice (its
 * status changed while the pages were read) counts once, with its latest entry.
 */
export class PullPlan {
  /** The latest entry of every invoice seen, by idFacture. */
  readonly latest = new Map<number, FactureRecipiendaire>();
  /** Invoices stored before this pull: the status to record, with the latest entry. */
  readonly changes = new Map<number, StatusToRecord>();
  /** Invoices to create, with their latest entry. */
  readonly fresh = new Map<number, FactureRecipiendaire>();
  private readonly planner: DownloadGroupPlanner<FactureRecipiendaire>;

  constructor(
    groupMaxBytes: number,
    groupMaxInvoices: number,
    private readonly lookup: (cproIds: string[]) => Promise<KnownInvoices>,
  ) {
    this.planner = new DownloadGroupPlanner(groupMaxBytes, groupMaxInvoices);
  }

  /**
   * One page of entries: returns the download groups it completed, and the new invoices' entries that are new or more
   * recent (for their first status). `held`: the invoices of this page Chorus Pro still holds on the works side. Pages
   * must be added one at a time.
   */
  async add(entries: FactureRecipiendaire[], held: ReadonlySet<number>): Promise<{ groups: FactureRecipiendaire[][]; fresh: FactureRecipiendaire[] }> {
    const newcomers: number[] = [];
    const refreshed: FactureRecipiendaire[] = [];
    for (const entry of entries) {
      const id = entry.idFacture;
      const previous = this.latest.get(id);
      if (previous && (entry.dateHeureEtatCourant ?? '') < (previous.dateHeureEtatCourant ?? '')) continue;
      this.latest.set(id, entry);
      if (!previous) {
        newcomers.push(id);
        continue;
      }
      const change = this.changes.get(id);
      if (change) change.entry = entry;
      if (this.fresh.has(id)) {
        this.fresh.set(id, entry);
        refreshed.push(entry);
      }
    }
    const known = newcomers.length > 0 ? await this.lookup(newcomers.map(String)) : new Map();
    const groups: FactureRecipiendaire[][] = [];
    const fresh: FactureRecipiendaire[] = [];
    for (const id of newcomers) {
      const entry = this.latest.get(id)!;
      const invoice = known.get(String(id));
      if (invoice) this.changes.set(id, { invoice, entry });
      else if (!held.has(id)) {
        this.fresh.set(id, entry);
        fresh.push(entry);
        groups.push(...this.planner.add(entry));
      }
    }
    return { groups, fresh: [...fresh, ...refreshed] };
  }

  /** The last, partial download group (once every page was added). */
  flush(): FactureRecipiendaire[][] {
    const last = this.planner.flush();
    return last ? [last] : [];
  }
}
