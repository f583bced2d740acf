import { createReadStream } from 'node:fs';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity, FlowSource } from '@/flows/flow.entity';
import { FlowInput } from '@/ingestion/flow-sources';
import { checkInvoice, RecipientSettings } from '@/ingestion/invoice.checks';
import { attachmentRow, buildInvoiceRows, InvoiceRows, validationRows } from '@/ingestion/invoice-rows.builder';
import { IngestionRepository, KnownInvoice } from '@/ingestion/ingestion.repository';
import { emptyReport, ImportReport } from '@/ingestion/ingestion.types';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { MetricsService } from '@/metrics/metrics.service';
import { PivotReader } from '@/pivot/pivot.reader';
import { PivotEnvelope, PivotFlowError, PivotInvoice } from '@/pivot/pivot.types';
import { FileStore, FileTooLargeError } from '@/storage/file-store.port';

type ReadError = { numOrdre?: number; number?: string; code: string; message: string };

const ACTOR_BY_SOURCE: Record<FlowSource, string> = {
  inbox: 'Chorus Pro (dépôt)',
  cli: 'Chorus Pro (import manuel)',
  api: 'Chorus Pro (API)',
  upload: 'Chorus Pro (téléversement)',
};

// Chorus Pro re-sends a suspended invoice once the supplier completed it (pivot V2_02 `Renvoi`).
const isCompletedResend = (renvoi?: string) => Boolean(renvoi && /^compl[ée]t[ée]e$/i.test(renvoi.trim()));

/**
 * Imports one flow file: keep the raw file (gzip, SHA-256), read it as a stream, check and store each
 * invoice. Nothing of a flow that is not a readable pivot is stored as invoices; a bad invoice never blocks
 * the good ones; re-importing the same file changes nothing; a crashed run is completed by re-running it.
 */
@Injectable()
export class FlowImportService {
  private readonly logger = new Logger(FlowImportService.name);
  private readonly reader = new PivotReader();

  constructor(
    private readonly repository: IngestionRepository,
    private readonly uow: UnitOfWork,
    private readonly store: FileStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Optional() private readonly workflow?: InvoiceWorkflowPort,
  ) {}

  async importFlow(input: FlowInput, source: FlowSource, recipients: Map<string, RecipientSettings>, defaultDelay: number): Promise<ImportReport> {
    const report = emptyReport();
    const stopTimer = this.metrics.ingestSeconds.startTimer();
    const limit = this.config.ingestion.maxFlowBytes;
    // Raw copy first, concurrently with the parse below (gzip runs on libuv's thread pool).
    const rawPromise = this.store.put(createReadStream(input.path), { compress: true, maxBytes: limit });
    const eventsPromise = this.readAll(input.path);
    let raw;
    try {
      raw = await rawPromise;
    } catch (err) {
      await eventsPromise.catch(() => undefined);
      const code = err instanceof FileTooLargeError ? 'FLOW_TOO_LARGE' : 'FLOW_UNREADABLE';
      const message =
        err instanceof FileTooLargeError
          ? `Flux refusé : taille supérieure à la limite de ${limit} octets`
          : `Flux illisible : ${(err as Error).message}`;
      report.flows.rejected++;
      report.errors.push({ file: input.fileName, invoice: null, code, message });
      this.metrics.flows.inc({ result: 'rejected', source });
      return report;
    }

    const existing = await this.repository.findFlowBySha(raw.sha256);
    if (existing && existing.status !== 'processing') {
      await eventsPromise.catch(() => undefined);
      report.flows.alreadyImported++;
      this.metrics.flows.inc({ result: 'already_imported', source });
      return report;
    }

    const now = this.clock.now();
    const read = await eventsPromise;
    const envelope = read.envelope;
    const flow =
      existing ??
      (await this.uow.run((em) =>
        this.repository.insertFlow(em, {
          sha256: raw.sha256,
          fileName: input.fileName,
          source,
          size: raw.size,
          storageKey: raw.key,
          status: 'processing',
          version: envelope?.version ?? null,
          idFlx: envelope?.idFlx ?? null,
          dtPrd: envelope?.dtPrd ?? null,
          senderId: envelope?.sender?.id ?? null,
          senderLabel: envelope?.sender?.label ?? null,
          receiverId: envelope?.receiver?.id ?? null,
          receiverLabel: envelope?.receiver?.label ?? null,
          envelope: envelope ? (envelope as unknown as Record<string, unknown>) : null,
          receivedAt: now,
        }),
      ));

    if (read.flowError) {
      await this.uow.run((em) =>
        this.repository.updateFlow(em, flow.id, {
          status: 'rejected',
          errorCode: read.flowError!.code,
          errorMessage: read.flowError!.message,
          completedAt: this.clock.now(),
        }),
      );
      report.flows.rejected++;
      report.errors.push({ file: input.fileName, invoice: null, code: read.flowError.code, message: read.flowError.message });
      this.metrics.flows.inc({ result: 'rejected', source });
      stopTimer();
      return report;
    }

    const alreadyStored = existing ? await this.repository.storedNumOrdres(flow.id) : new Set<number>();
    const todo = read.invoices.filter((i) => !alreadyStored.has(i.numOrdre));
    const batchSize = this.config.ingestion.batchSize;
    const ctx = { flow, source, recipients, defaultDelay, fileName: input.fileName, receivedAt: flow.receivedAt ?? now };
    for (let i = 0; i < todo.length; i += batchSize) {
      const batch = todo.slice(i, i + batchSize);
      try {
        const r = await this.uow.run((em) => this.storeBatch(em, batch, ctx));
        mergeCounts(report, r);
      } catch (err) {
        // A constraint hit (a concurrent import of the same invoice): retry one by one so that only the
        // culprit is affected.
        this.logger.warn(`Lot rejoué facture par facture (${input.fileName}) : ${(err as Error).message}`);
        for (const one of batch) {
          try {
            mergeCounts(report, await this.uow.run((em) => this.storeBatch(em, [one], ctx)));
          } catch (e) {
            if (isUniqueViolation(e)) {
              report.invoices.duplicates++;
              continue;
            }
            throw e;
          }
        }
      }
    }

    const partial = read.invoiceErrors.length > 0;
    await this.uow.run(async (em) => {
      await this.repository.clearFlowErrors(em, flow.id);
      const errorRows: Array<Partial<FlowErrorEntity>> = [
        ...read.invoiceErrors.map((e) => ({
          flowId: flow.id,
          numOrdre: e.numOrdre ?? null,
          invoiceNumber: e.number ?? null,
          recipientSiret: null,
          code: e.code,
          message: e.message,
        })),
        ...report.errors
          .filter((e) => e.code === 'DUPLICATE_INVOICE')
          .map((e) => ({ flowId: flow.id, numOrdre: null, invoiceNumber: e.invoice, recipientSiret: null, code: e.code, message: e.message })),
      ];
      await this.repository.insertMany(em, FlowErrorEntity, errorRows);
      await this.repository.linkCreditNotes(em, flow.id);
      const count: Array<{ n: number }> = await em.query('SELECT count(*)::int AS n FROM invoices WHERE flow_id = $1', [flow.id]);
      await this.repository.updateFlow(em, flow.id, {
        status: partial ? 'partial' : 'integrated',
        invoiceCount: Number(count[0].n),
        errorCode: partial ? 'INVOICE_UNREADABLE' : null,
        errorMessage: partial ? `${read.invoiceErrors.length} facture(s) illisible(s) dans le flux` : null,
        completedAt: this.clock.now(),
      });
    });
    for (const e of read.invoiceErrors) {
      report.errors.push({ file: input.fileName, invoice: e.number ?? null, code: e.code, message: e.message });
    }
    if (partial) report.flows.partial++;
    else report.flows.integrated++;
    this.metrics.flows.inc({ result: partial ? 'partial' : 'integrated', source });
    stopTimer();
    return report;
  }

  /** Reads the whole flow before storing anything: a flow ending in an error stores no invoice. */
  private async readAll(path: string): Promise<{
    envelope?: PivotEnvelope;
    invoices: PivotInvoice[];
    invoiceErrors: ReadError[];
    flowError?: PivotFlowError;
  }> {
    const out: { envelope?: PivotEnvelope; invoices: PivotInvoice[]; invoiceErrors: ReadError[]; flowError?: PivotFlowError } = {
      invoices: [],
      invoiceErrors: [],
    };
    try {
      for await (const event of this.reader.read(createReadStream(path), {
        store: this.store,
        maxFlowBytes: this.config.ingestion.maxFlowBytes,
        maxAttachmentBytes: this.config.ingestion.maxAttachmentBytes,
      })) {
        if (event.kind === 'envelope') out.envelope = event.envelope;
        else if (event.kind === 'invoice') out.invoices.push(event.invoice);
        else out.invoiceErrors.push({ numOrdre: event.numOrdre, number: event.number, code: event.code, message: event.message });
      }
    } catch (err) {
      if (err instanceof PivotFlowError) out.flowError = err;
      else out.flowError = new PivotFlowError('MALFORMED_XML', `Flux illisible : ${(err as Error).message}`);
    }
    return out;
  }

  private async storeBatch(
    em: EntityManager,
    batch: PivotInvoice[],
    ctx: {
      flow: FlowEntity;
      source: FlowSource;
      recipients: Map<string, RecipientSettings>;
      defaultDelay: number;
      fileName: string;
      receivedAt: Date;
    },
  ): Promise<ImportReport> {
    const report = emptyReport();
    const known = await this.repository.findKnown(
      em,
      batch.map((i) => i.cproId?.trim()).filter((x): x is string => Boolean(x)),
      batch.map((i) => ({ supplierId: i.supplier.id.trim(), number: i.number.trim(), year: Number(i.issueDate.slice(0, 4)) })),
    );
    const byCpro = new Map(known.filter((k) => k.cproId).map((k) => [k.cproId!, k]));
    const byKey = new Map(known.map((k) => [dupKey(k.supplierId, k.number, k.invoiceYear), k]));
    const fresh: InvoiceRows[] = [];
    const actor = ACTOR_BY_SOURCE[ctx.source];
    for (const inv of batch) {
      const key = dupKey(inv.supplier.id.trim(), inv.number.trim(), Number(inv.issueDate.slice(0, 4)));
      const match = (inv.cproId && byCpro.get(inv.cproId.trim())) || byKey.get(key);
      if (match) {
        if (isCompletedResend(inv.renvoi)) {
          await this.applyCompletedResend(em, match, inv, ctx, actor);
          report.invoices.updated++;
        } else {
          report.invoices.duplicates++;
          report.errors.push({
            file: ctx.fileName,
            invoice: inv.number,
            code: 'DUPLICATE_INVOICE',
            message: `Facture ${inv.number} du fournisseur ${inv.supplier.id} déjà reçue${match.cproId ? ` (IdCPRO ${match.cproId})` : ''} : ignorée`,
          });
        }
        continue;
      }
      const recipient = ctx.recipients.get(inv.debtor.id.trim()) ?? null;
      const anomalies = checkInvoice(inv, recipient);
      const rows = buildInvoiceRows({
        invoice: inv,
        flowId: ctx.flow.id,
        structureId: recipient?.id ?? null,
        paymentDelayDays: recipient?.paymentDelayDays ?? ctx.defaultDelay,
        anomalies,
        receivedAt: ctx.receivedAt,
        actor,
        fileName: ctx.fileName,
      });
      fresh.push(rows);
      // Same invoice twice in one batch: the second is a duplicate of the first.
      const pseudo: KnownInvoice = { id: rows.invoice.id!, cproId: rows.invoice.cproId ?? null, supplierId: rows.invoice.supplierId!, number: rows.invoice.number!, invoiceYear: rows.invoice.invoiceYear!, status: 'A_TRAITER' };
      if (pseudo.cproId) byCpro.set(pseudo.cproId, pseudo);
      byKey.set(key, pseudo);
      report.invoices.created++;
      if (anomalies.length > 0) report.invoices.withAnomalies++;
      for (const a of anomalies) this.metrics.anomalies.inc({ code: a.code });
    }
    await this.repository.insertMany(em, InvoiceEntity, fresh.map((r) => r.invoice));
    await this.repository.insertMany(em, InvoiceLineEntity, fresh.flatMap((r) => r.lines));
    await this.repository.insertMany(em, InvoiceVatEntity, fresh.flatMap((r) => r.vats));
    await this.repository.insertMany(em, InvoiceAttachmentEntity, fresh.flatMap((r) => r.attachments));
    await this.repository.insertMany(em, InvoiceAnomalyEntity, fresh.flatMap((r) => r.anomalies));
    await this.repository.insertMany(em, InvoiceValidationEntity, fresh.flatMap((r) => r.validations));
    await this.repository.insertMany(em, InvoiceHistoryEntity, fresh.flatMap((r) => r.history));
    this.metrics.invoices.inc({ result: 'created' }, report.invoices.created);
    this.metrics.invoices.inc({ result: 'duplicate' }, report.invoices.duplicates);
    this.metrics.invoices.inc({ result: 'updated' }, report.invoices.updated);
    return report;
  }

  /** `Renvoi=Complétée`: new attachments and a history step; the workflow decides the state (SUSPENDUE → A_TRAITER). */
  private async applyCompletedResend(
    em: EntityManager,
    known: KnownInvoice,
    inv: PivotInvoice,
    ctx: { flow: FlowEntity; fileName: string },
    actor: string,
  ): Promise<void> {
    const have = await this.repository.attachmentShas(em, known.id);
    const added = inv.attachments.filter((a) => !have.has(a.content?.sha256 ?? `#${a.numOrdre}`));
    await this.repository.insertMany(em, InvoiceAttachmentEntity, added.map((a) => attachmentRow(known.id, ctx.flow.id, a)));
    await this.repository.insertMany(em, InvoiceValidationEntity, validationRows(known.id, ctx.flow.id, inv));
    const unreadable = added.filter((a) => a.error);
    if (unreadable.length > 0) {
      await this.repository.insertMany(
        em,
        InvoiceAnomalyEntity,
        unreadable.map((a) => ({ invoiceId: known.id, code: 'ATTACHMENT_UNREADABLE', message: `Pièce jointe « ${a.name} » illisible : ${a.error!.message}` })),
      );
    }
    await this.repository.addAnomalyCodes(em, known.id, unreadable.length > 0 ? ['ATTACHMENT_UNREADABLE'] : []);
    await this.repository.insertMany(em, InvoiceHistoryEntity, [
      {
        invoiceId: known.id,
        step: 'RENVOI_COMPLETEE',
        label: 'Lecture flux (renvoi complété)',
        actor,
        at: this.clock.now(),
        flowId: ctx.flow.id,
        details: { file: ctx.fileName, addedAttachments: added.map((a) => a.name) },
      },
    ]);
    if (this.workflow) {
      await this.workflow.onChorusProStatus(em, known.id, 'COMPLETEE', { actor, flowId: ctx.flow.id, details: { file: ctx.fileName } });
    } else {
      await em.query(`UPDATE invoices SET cpp_status = 'COMPLETEE', updated_at = now() WHERE id = $1`, [known.id]);
    }
  }
}

function dupKey(supplierId: string, number: string, year: number): string {
  return `${supplierId}\u0000${number}\u0000${year}`;
}

function mergeCounts(into: ImportReport, from: ImportReport): void {
  into.invoices.created += from.invoices.created;
  into.invoices.updated += from.invoices.updated;
  into.invoices.duplicates += from.invoices.duplicates;
  into.invoices.withAnomalies += from.invoices.withAnomalies;
  into.errors.push(...from.errors);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505' || /duplicate key|unique/i.test(String((err as Error)?.message));
}
