import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity, FlowSource } from '@/flows/flow.entity';
import { ReadResult } from '@/ingestion/flow-reader';
import { FlowInput } from '@/ingestion/flow-sources';
import { envelopeColumnValue, storableNumOrdre } from '@/ingestion/invoice-field.limits';
import { ImportReport } from '@/ingestion/ingestion.types';
import { PivotInvoice } from '@/pivot/pivot.types';
import { StoredObject } from '@/storage/file-store.port';
import { formatCount } from '@/common/money/french-format';

// Rows and counts shared by the one-flow import (FlowImportService) and flows stored together (FlowBatchImportService).

/** The flow row of a flow read (its raw copy stored), with the given status. */
export function flowRowOf(prepared: { input: FlowInput; read: ReadResult }, raw: StoredObject, source: FlowSource, receivedAt: Date, status: FlowEntity['status']): Partial<FlowEntity> {
  const envelope = prepared.read.envelope;
  return {
    sha256: raw.sha256,
    fileName: prepared.input.fileName,
    source,
    size: raw.size,
    storageKey: raw.key,
    status,
    // A value too long for its column stays in `envelope` only (see envelopeColumnValue).
    version: envelopeColumnValue(envelope, 'flows.version'),
    idFlx: envelopeColumnValue(envelope, 'flows.id_flx'),
    dtPrd: envelopeColumnValue(envelope, 'flows.dt_prd'),
    senderId: envelopeColumnValue(envelope, 'flows.sender_id'),
    senderLabel: envelope?.sender?.label ?? null,
    receiverId: envelopeColumnValue(envelope, 'flows.receiver_id'),
    receiverLabel: envelope?.receiver?.label ?? null,
    envelope: envelope ? (envelope as unknown as Record<string, unknown>) : null,
    receivedAt,
  };
}

/** Final columns of a flow whose invoices are stored. */
export function outcome(read: ReadResult, invoiceCount: number, completedAt: Date): Partial<FlowEntity> {
  const partial = read.invoiceErrors.length > 0;
  return {
    invoiceCount,
    errorCode: partial ? 'INVOICE_UNREADABLE' : null,
    errorMessage: partial ? `${formatCount(read.invoiceErrors.length)} facture(s) illisible(s) dans le flux` : null,
    completedAt,
  };
}

/** Unreadable invoices and duplicates, kept on the flow. */
export function flowErrorRows(flowId: string, read: ReadResult, report: ImportReport): Array<Partial<FlowErrorEntity>> {
  return [
    ...read.invoiceErrors.map((e) => ({
      flowId,
      numOrdre: storableNumOrdre(e.numOrdre),
      invoiceNumber: e.number ?? null,
      recipientSiret: null,
      code: e.code,
      message: e.message,
    })),
    ...report.errors
      .filter((e) => e.code === 'DUPLICATE_INVOICE')
      .map((e) => ({ flowId, numOrdre: null, invoiceNumber: e.invoice, recipientSiret: null, code: e.code, message: e.message })),
  ];
}

/** A credit note that may name its origin invoice (superset of the rows `linkCreditNotes` looks at on that side). */
export const mayLinkOrigin = (inv: PivotInvoice): boolean => inv.type === '381' && Boolean(inv.originInvoiceNumber);

export function mergeCounts(into: ImportReport, from: ImportReport): void {
  into.invoices.created += from.invoices.created;
  into.invoices.updated += from.invoices.updated;
  into.invoices.duplicates += from.invoices.duplicates;
  into.invoices.withAnomalies += from.invoices.withAnomalies;
  into.errors.push(...from.errors);
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505' || /duplicate key|unique/i.test(String((err as Error)?.message));
}
