import { randomUUID } from 'node:crypto';
import { formatAmount } from '@/common/money/money';
import { Anomaly } from '@/ingestion/invoice.checks';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { addDays } from '@/invoices/payment-deadline';
import { PivotAttachment, PivotInvoice } from '@/pivot/pivot.types';

/** All rows one new invoice needs, built in memory so a batch is a handful of multi-row INSERTs. */
export interface InvoiceRows {
  invoice: Partial<InvoiceEntity>;
  lines: Array<Partial<InvoiceLineEntity>>;
  vats: Array<Partial<InvoiceVatEntity>>;
  attachments: Array<Partial<InvoiceAttachmentEntity>>;
  anomalies: Array<Partial<InvoiceAnomalyEntity>>;
  validations: Array<Partial<InvoiceValidationEntity>>;
  history: Array<Partial<InvoiceHistoryEntity>>;
}

export const READ_STEP = { step: 'LECTURE_FLUX', label: 'Lecture flux' } as const;

const opt = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim());


export function attachmentRow(invoiceId: string, flowId: string, a: PivotAttachment): Partial<InvoiceAttachmentEntity> {
  return {
    id: randomUUID(),
    invoiceId,
    flowId,
    numOrdre: a.numOrdre,
    idUnique: opt(a.idUnique),
    idOriginal: opt(a.idOriginal),
    name: a.name,
    originalName: opt(a.originalName),
    category: opt(a.category),
    type: a.type,
    mimeType: a.mimeType,
    entryName: a.content?.entryName ?? null,
    size: a.content?.size ?? null,
    sha256: a.content?.sha256 ?? null,
    storageKey: a.content?.storageKey ?? null,
    errorMessage: a.error?.message ?? null,
  };
}

export function validationRows(invoiceId: string, flowId: string, inv: PivotInvoice): Array<Partial<InvoiceValidationEntity>> {
  return inv.validations.map((v) => ({
    id: randomUUID(),
    invoiceId,
    flowId,
    statusDate: v.date,
    statusCode: v.statusCode,
    complement: opt(v.complement),
    comment: opt(v.comment),
    producer: (v.producer as Record<string, unknown> | undefined) ?? null,
  }));
}

export function buildInvoiceRows(args: {
  invoice: PivotInvoice;
  flowId: string;
  structureId: string | null;
  paymentDelayDays: number;
  anomalies: Anomaly[];
  receivedAt: Date;
  actor: string;
  fileName: string;
}): InvoiceRows {
  const { invoice: inv, flowId } = args;
  const id = randomUUID();
  const bank = inv.supplier.bank;
  const invoice: Partial<InvoiceEntity> = {
    id,
    flowId,
    numOrdre: inv.numOrdre,
    structureId: args.structureId,
    supplierIdType: inv.supplier.idType,
    supplierId: inv.supplier.id.trim(),
    supplierName: inv.supplier.name,
    supplierCountry: opt(inv.supplier.countryCode),
    supplierEmissionMode: opt(inv.supplier.emissionMode),
    bankType: opt(bank?.type),
    bankAccount: opt(bank?.account),
    bankEstablishment: opt(bank?.establishment),
    bankHolder: opt(bank?.holderName),
    debtorIdType: inv.debtor.idType,
    debtorId: inv.debtor.id.trim(),
    debtorName: opt(inv.debtor.name),
    serviceCode: opt(inv.debtor.serviceCode),
    serviceName: opt(inv.debtor.serviceName),
    number: inv.number.trim(),
    invoiceYear: Number(inv.issueDate.slice(0, 4)),
    cproId: opt(inv.cproId),
    renvoi: opt(inv.renvoi),
    originNumber: opt(inv.originInvoiceNumber),
    type: inv.type,
    cadre: inv.cadre,
    issueDate: inv.issueDate,
    deliveryDate: opt(inv.deliveryDate),
    receptionDate: inv.receptionDate,
    moeDate: opt(inv.moeDate),
    currency: opt(inv.currency),
    paymentModeCode: opt(inv.paymentMode?.code),
    paymentModeLabel: opt(inv.paymentMode?.label),
    amountHt: formatAmount(inv.amounts.ht),
    amountTtc: formatAmount(inv.amounts.ttc),
    netAmount: formatAmount(inv.amounts.netToPay),
    marketNumber: opt(inv.engagement.marketNumber),
    engagementNumber: opt(inv.engagement.engagementNumber),
    status: 'A_TRAITER',
    cppStatus: null,
    anomalyCodes: [...new Set(args.anomalies.map((a) => a.code))],
    dueDate: addDays(inv.receptionDate, args.paymentDelayDays),
    attachmentCount: inv.attachments.length,
    receivedAt: args.receivedAt,
    rowVersion: 1,
  };
  return {
    invoice,
    lines: inv.lines.map((l) => ({
      id: randomUUID(),
      invoiceId: id,
      numOrdre: l.numOrdre,
      productRef: opt(l.productRef),
      unitPrice: formatAmount(l.unitPrice),
      quantity: formatAmount(l.quantity),
      amountHt: formatAmount(l.amountHt),
      vatRate: l.vatRate ? formatAmount(l.vatRate) : null,
    })),
    vats: inv.vats.map((v) => ({
      id: randomUUID(),
      invoiceId: id,
      rate: formatAmount(v.rate),
      baseHt: formatAmount(v.baseHt),
      amount: formatAmount(v.amount),
    })),
    attachments: inv.attachments.map((a) => attachmentRow(id, flowId, a)),
    anomalies: args.anomalies.map((a) => ({ id: randomUUID(), invoiceId: id, code: a.code, message: a.message })),
    validations: validationRows(id, flowId, inv),
    history: [
      {
        invoiceId: id,
        step: READ_STEP.step,
        label: READ_STEP.label,
        actor: args.actor,
        at: args.receivedAt,
        toStatus: 'A_TRAITER',
        flowId,
        details: { file: args.fileName, numOrdre: inv.numOrdre, anomalies: args.anomalies.map((a) => a.code) },
      },
    ],
  };
}
