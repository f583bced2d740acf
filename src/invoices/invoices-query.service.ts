import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { formatEuros, formatFrenchDate } from '@/common/money/french-format';
import { AppConfig } from '@/config/app.config';
import { AttachmentKind, sniffAttachment, SNIFF_BYTES } from '@/invoices/attachment-kind';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { isUnknownRecipient } from '@/invoices/invoice-state.machine';
import { daysLeft, localDate } from '@/invoices/payment-deadline';
import { InvoiceFilters, InvoicesQueryRepository, ListRow, ListSort, Page } from '@/invoices/invoices-query.repository';
import { isUuid } from '@/invoices/invoice-transitions.repository';
import { InvoiceScope, inScope } from '@/users/principal';
import { FileStore } from '@/storage/file-store.port';

export interface InvoiceListItem {
  id: string;
  number: string;
  supplierId: string;
  supplierName: string;
  recipientSiret: string;
  structureId: string | null;
  serviceCode: string | null;
  type: string;
  /** Cadre de facturation (A1…): works cadres are shown as « Facture de travaux ». */
  cadre: string;
  status: string;
  cppStatus: string | null;
  netAmount: string;
  amountTtc: string;
  amountHt: string;
  anomalies: string[];
  /** Recipient not one of our structures: only the actions allowed for it (state machine table) apply. */
  unknownRecipient: boolean;
  /** Motif of the rejection, suspension or recycling that put the invoice in its current state. */
  reason: string | null;
  attachmentCount: number;
  issueDate: string;
  receptionDate: string;
  dueDate: string | null;
  /** Days left before the payment deadline (negative when late); null while suspended (the clock is paused). */
  daysLeft: number | null;
  flowId: string;
}

/** Sniffed kinds kept in memory (a few dozen bytes each). */
const MAX_KNOWN_KINDS = 50_000;

@Injectable()
export class InvoicesQueryService {
  private readonly kinds = new Map<string, AttachmentKind>();

  constructor(
    private readonly repository: InvoicesQueryRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly store: FileStore,
  ) {}

  today(): string {
    return localDate(this.clock.now(), this.config.timezone);
  }

  async list(
    scope: InvoiceScope,
    filters: InvoiceFilters & { dueWithinDays?: number },
    limit = 50,
    cursor?: string,
    sort: ListSort = 'received_desc',
  ): Promise<Page<InvoiceListItem>> {
    const f: InvoiceFilters = { ...filters };
    if (filters.dueWithinDays !== undefined) {
      const d = new Date(`${this.today()}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + filters.dueWithinDays);
      f.dueBefore = d.toISOString().slice(0, 10);
    }
    const page = await this.repository.list(scope, f, Math.min(Math.max(limit, 1), 500), cursor, sort);
    const today = this.today();
    return { items: page.items.map((r) => this.toListItem(r, today)), nextCursor: page.nextCursor };
  }

  async get(scope: InvoiceScope, id: string) {
    const invoice = await this.findVisible(scope, id);
    const d = await this.repository.details(id);
    const today = this.today();
    return {
      ...invoice,
      recipientSiret: invoice.debtorId,
      unknownRecipient: isUnknownRecipient(invoice),
      anomalies: d.anomalies.map((a) => ({ code: a.code, message: a.message, at: a.createdAt })),
      daysLeft: this.daysLeft(invoice.dueDate, invoice.suspendedSince, today),
      lines: d.lines,
      vats: d.vats,
      attachments: (await Promise.all(d.attachments.map(async (a) => ({ a, kind: await this.kindIfStored(a.storageKey) })))).map(({ a, kind }) => ({
        id: a.id,
        numOrdre: a.numOrdre,
        name: a.name,
        originalName: a.originalName,
        type: a.type,
        category: a.category,
        mimeType: a.mimeType,
        size: a.size,
        sha256: a.sha256,
        readable: a.storageKey !== null,
        /** What the bytes are (attachment-kind.ts): the pages show only a 'pdf' inline, and download the rest. */
        kind,
        error: a.errorMessage,
      })),
      validations: d.validations,
      history: d.history,
    };
  }

  async history(scope: InvoiceScope, id: string) {
    await this.findVisible(scope, id);
    return this.repository.history(id);
  }

  /**
   * The stored (unzipped) attachment, streamed, with the kind its bytes show: never the declared type (MimeTypePJ, the
   * file name), which a hostile supplier chooses.
   */
  async attachment(scope: InvoiceScope, invoiceId: string, attachmentId: string) {
    await this.findVisible(scope, invoiceId);
    const a = await this.repository.findAttachment(invoiceId, attachmentId);
    if (!a) throw new NotFoundError('ATTACHMENT_NOT_FOUND', 'Pièce jointe introuvable');
    if (!a.storageKey) {
      throw new NotFoundError('ATTACHMENT_UNREADABLE', `Pièce jointe « ${a.name} » illisible : ${a.errorMessage ?? 'contenu absent'}`);
    }
    const kind = await this.kindOf(a.storageKey);
    const stream: Readable = await this.store.openRead(a.storageKey);
    return { stream, kind, name: a.entryName ?? a.name, size: a.size };
  }

  /** For the invoice's page: null when the attachment has no content, or its file cannot be read (never blocks the page). */
  private async kindIfStored(storageKey: string | null): Promise<AttachmentKind | null> {
    if (!storageKey) return null;
    return this.kindOf(storageKey).catch(() => null);
  }

  /** Kind of a stored object from its first bytes; keys name immutable content, so the answer is kept. */
  private async kindOf(storageKey: string): Promise<AttachmentKind> {
    const known = this.kinds.get(storageKey);
    if (known) return known;
    const stream = await this.store.openRead(storageKey);
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
        length += (chunk as Buffer).length;
        if (length >= SNIFF_BYTES) break;
      }
    } finally {
      stream.destroy();
    }
    const kind = sniffAttachment(Buffer.concat(chunks).subarray(0, SNIFF_BYTES));
    if (this.kinds.size >= MAX_KNOWN_KINDS) this.kinds.delete(this.kinds.keys().next().value!);
    this.kinds.set(storageKey, kind);
    return kind;
  }

  async findVisible(scope: InvoiceScope, id: string): Promise<InvoiceEntity> {
    const invoice = await this.repository.findInvoice(id);
    if (!invoice) throw new NotFoundError('INVOICE_NOT_FOUND', `Facture introuvable : ${id}`);
    if (!inScope(scope, invoice.structureId)) {
      throw new ForbiddenError('INVOICE_FORBIDDEN', "Cette facture n'appartient pas à vos structures");
    }
    return invoice;
  }

  /**
   * The invoice a person means by `reference`: its id, or its number as the supplier wrote it when exactly one
   * invoice the caller may see carries it (numbers are unique per supplier only: several → the candidates).
   */
  async resolveReference(scope: InvoiceScope, reference: string): Promise<string> {
    const value = reference.trim();
    if (isUuid(value)) return value;
    const { items } = await this.list(scope, { number: value }, 20);
    if (items.length === 1) return items[0].id;
    if (!items.length) throw new NotFoundError('INVOICE_NOT_FOUND', `Aucune facture ne porte le numéro « ${value} »`);
    const candidates = items.map((i) => `${i.id} (${i.supplierName}, du ${formatFrenchDate(i.issueDate)}, ${formatEuros(i.netAmount)})`);
    throw new DomainError(
      'INVOICE_NUMBER_AMBIGUOUS',
      `Plusieurs factures portent le numéro « ${value} » : ${candidates.join(' ; ')}. Indiquez l'identifiant de celle qui convient.`,
      { candidates: items.map((i) => ({ id: i.id, supplierId: i.supplierId, supplierName: i.supplierName, issueDate: i.issueDate, netAmount: i.netAmount })) },
    );
  }

  /** The deadline is paused while suspended: days left are counted from the suspension day (payment-deadline.ts). */
  private daysLeft(dueDate: string | null, suspendedSince: Date | null, today: string): number | null {
    return daysLeft(dueDate, today, suspendedSince ? localDate(suspendedSince, this.config.timezone) : null);
  }

  private toListItem(r: ListRow, today: string): InvoiceListItem {
    return {
      id: r.id,
      number: r.number,
      supplierId: r.supplier_id,
      supplierName: r.supplier_name,
      recipientSiret: r.debtor_id,
      structureId: r.structure_id,
      serviceCode: r.service_code,
      type: r.type,
      cadre: r.cadre,
      status: r.status,
      cppStatus: r.cpp_status,
      netAmount: r.net_amount,
      amountTtc: r.amount_ttc,
      amountHt: r.amount_ht,
      anomalies: r.anomaly_codes ?? [],
      unknownRecipient: isUnknownRecipient({ structureId: r.structure_id, anomalyCodes: r.anomaly_codes ?? [] }),
      reason: r.last_reason ?? null,
      attachmentCount: Number(r.attachment_count),
      issueDate: r.issue_date,
      receptionDate: r.reception_date,
      dueDate: r.due_date,
      daysLeft: this.daysLeft(r.due_date, r.suspended_since, today),
      flowId: r.flow_id,
    };
  }
}

