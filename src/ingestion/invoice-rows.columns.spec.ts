import { getMetadataArgsStorage } from 'typeorm';
import { FlowEntity } from '@/flows/flow.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { FLOW_COLUMNS, INVOICE_COLUMNS } from '@/ingestion/invoice-rows.columns';

/** The database column names an entity declares (decorators), as the bulk inserts must write them. */
function entityColumns(target: object): string[] {
  return getMetadataArgsStorage()
    .columns.filter((c) => c.target === target)
    .map((c) => c.options.name ?? c.propertyName.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`));
}

describe('bulk insert columns', () => {
  // A column added to the entity but not to its list would be silently left to its DEFAULT by the unnest inserts.
  // Left out on purpose: set by the database (timestamps), or later (credit-note link, suspension).
  it.each([
    ['flows', FlowEntity, FLOW_COLUMNS, []],
    ['invoices', InvoiceEntity, INVOICE_COLUMNS, ['created_at', 'origin_invoice_id', 'suspended_since', 'updated_at']],
  ] as const)('%s: the list writes every column of the entity, and no other', (_table, entity, columns, leftOut: readonly string[]) => {
    const listed = columns.map(([name]) => name).sort();
    expect(listed).toEqual([...new Set(entityColumns(entity))].filter((c) => !leftOut.includes(c)).sort());
  });
});
