/**
 * Splits invoices to download into telecharger/groupe calls: as few calls as possible, each under the byte
 * budget (sum of the search's `taille`, kept well under Chorus Pro's 120 MB answer cap since the answer is a
 * base64 ZIP) and a count cap. Order is kept. An invoice of unknown size counts as budget / maxInvoices.
 */
export function planDownloadGroups<T extends { idFacture: number; taille?: number }>(invoices: T[], maxBytes: number, maxInvoices: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  const fallback = Math.ceil(maxBytes / maxInvoices);
  for (const invoice of invoices) {
    const size = invoice.taille && invoice.taille > 0 ? invoice.taille : fallback;
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= maxInvoices)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(invoice);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
