/**
 * Splits invoices to download into telecharger/groupe calls: as few calls as possible, each under the byte
 * budget (sum of the search's `taille`, kept well under Chorus Pro's 120 MB answer cap since the answer is a
 * base64 ZIP) and a count cap. Order is kept. An invoice of unknown size counts as budget / maxInvoices.
 */
export function planDownloadGroups<T extends { idFacture: number; taille?: number }>(invoices: T[], maxBytes: number, maxInvoices: number): T[][] {
  const planner = new DownloadGroupPlanner<T>(maxBytes, maxInvoices);
  const groups = invoices.flatMap((invoice) => planner.add(invoice));
  const last = planner.flush();
  return last ? [...groups, last] : groups;
}

/**
 * planDownloadGroups as the invoices arrive (search pages): each group is handed out as soon as it is full, so that
 * its download starts while the next pages are asked for; `flush` gives the last, partial one.
 */
export class DownloadGroupPlanner<T extends { idFacture: number; taille?: number }> {
  private current: T[] = [];
  private bytes = 0;
  private readonly fallback: number;

  constructor(
    private readonly maxBytes: number,
    private readonly maxInvoices: number,
  ) {
    this.fallback = Math.ceil(maxBytes / maxInvoices);
  }

  /** Adds one invoice; returns the groups it closed: the one it did not fit in, and its own once full by count. */
  add(invoice: T): T[][] {
    const size = invoice.taille && invoice.taille > 0 ? invoice.taille : this.fallback;
    const closed: T[][] = [];
    if (this.current.length > 0 && this.bytes + size > this.maxBytes) closed.push(this.take());
    this.current.push(invoice);
    this.bytes += size;
    // Full by count: handed out now, not when the next invoice comes (the last page may not bring one).
    if (this.current.length >= this.maxInvoices) closed.push(this.take());
    return closed;
  }

  private take(): T[] {
    const group = this.current;
    this.current = [];
    this.bytes = 0;
    return group;
  }

  /** The group being filled, if not empty. */
  flush(): T[] | undefined {
    return this.current.length > 0 ? this.take() : undefined;
  }
}
