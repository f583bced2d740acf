import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { ConflictError, NotFoundError } from '@/common/errors/domain.error';
import { CPP_STATUS_EVENTS, InvoiceStatus, ruleOf } from '@/invoices/invoice-state.machine';
import { InvoiceTransitionService } from '@/invoices/invoice-transition.service';
import { HistoryStep, InvoiceForWorkflow, InvoiceTransitionsRepository } from '@/invoices/invoice-transitions.repository';
import { ChorusProStatusReport, FirstChorusProStatus, HeliosPayment, InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';

/**
 * What Chorus Pro reports about a known invoice (pull, or pivot flow with Renvoi=Complétée), inside the
 * caller's transaction. The status read is always kept (`cpp_status` + « Statut Chorus Pro reçu » when it
 * changes); the state machine decides whether it also moves our state (COMPLETEE ends a suspension,
 * MISE_EN_PAIEMENT pays a mandated invoice).
 */
@Injectable()
export class InvoiceWorkflowService extends InvoiceWorkflowPort {
  constructor(
    private readonly repository: InvoiceTransitionsRepository,
    private readonly transitions: InvoiceTransitionService,
    private readonly clock: Clock,
  ) {
    super();
  }

  async onChorusProStatus(
    em: EntityManager,
    invoiceId: string,
    cppStatus: string,
    context: ChorusProStatusReport['context'],
  ): Promise<void> {
    const invoice = await this.repository.load(em, invoiceId);
    if (!invoice) throw notFound(invoiceId);
    const report = { invoiceId, cppStatus, context };
    const changed = invoice.cppStatus !== cppStatus;
    if (changed) {
      const now = this.clock.now();
      const ok = await this.repository.update(em, invoice, { status: invoice.status, dueDate: invoice.dueDate, suspendedSince: invoice.suspendedSince, cppStatus, now });
      if (!ok) throw conflict();
      await this.repository.addHistory(em, cppStatusStep(invoice, report, now));
    }
    await this.followUp(em, invoice, report, changed);
  }

  async onChorusProStatuses(em: EntityManager, reports: ChorusProStatusReport[]): Promise<void> {
    // The same invoice twice: its second report must see the first one's effect, so one at a time.
    if (new Set(reports.map((r) => r.invoiceId)).size !== reports.length) {
      for (const r of reports) await this.onChorusProStatus(em, r.invoiceId, r.cppStatus, r.context);
      return;
    }
    const loaded = new Map((await this.repository.loadMany(em, reports.map((r) => r.invoiceId))).map((i) => [i.id, i]));
    const now = this.clock.now();
    const changes: Array<{ invoice: InvoiceForWorkflow; cppStatus: string }> = [];
    const steps: HistoryStep[] = [];
    for (const r of reports) {
      const invoice = loaded.get(r.invoiceId);
      if (!invoice) throw notFound(r.invoiceId);
      if (invoice.cppStatus === r.cppStatus) continue;
      changes.push({ invoice, cppStatus: r.cppStatus });
      steps.push(cppStatusStep(invoice, r, now));
    }
    const updated = await this.repository.updateCppStatuses(em, changes, now);
    if (updated.size !== changes.length) throw conflict();
    await this.repository.addHistories(em, steps);
    for (const r of reports) {
      const invoice = loaded.get(r.invoiceId)!;
      await this.followUp(em, invoice, r, invoice.cppStatus !== r.cppStatus);
    }
  }

  firstChorusProStatus(invoice: { status: string }, report: Omit<ChorusProStatusReport, 'invoiceId'>, at: Date): FirstChorusProStatus | null {
    // The same decision as followUp for an invoice whose status was unknown (changed): a move is left to it.
    const event = CPP_STATUS_EVENTS[report.cppStatus];
    if (event && ruleOf(event).from.includes(invoice.status as InvoiceStatus)) return null;
    const { invoiceId: _, ...step } = cppStatusStep({ status: invoice.status, cppStatus: null }, { invoiceId: '', ...report }, at);
    return { cppStatus: report.cppStatus, step: { ...step, flowId: step.flowId ?? null, details: step.details ?? {} } };
  }

  /** What the status means for our state (state machine): a move, for COMPLETEE or MISE_EN_PAIEMENT. */
  private async followUp(em: EntityManager, invoice: InvoiceForWorkflow, { invoiceId, cppStatus, context }: ChorusProStatusReport, changed: boolean): Promise<void> {
    // A status read again by an overlapping pull changes nothing; a new flow (Renvoi=Complétée) is a new event.
    const event = CPP_STATUS_EVENTS[cppStatus];
    if (!event || !(changed || context.flowId)) return;
    if (!ruleOf(event).from.includes(invoice.status as InvoiceStatus)) return;
    await this.transitions.perform(em, invoiceId, event, { role: 'chorus-pro', name: context.actor, scope: null }, {}, {
      flowId: context.flowId ?? null,
      details: { ...context.details, cppStatus },
    });
  }

  async onHeliosPayment(em: EntityManager, invoiceId: string, payment: HeliosPayment): Promise<'paid' | 'recorded'> {
    const invoice = await this.repository.load(em, invoiceId);
    if (!invoice) throw notFound(invoiceId);
    const details = { source: 'HELIOS', paidOn: payment.paidOn, amount: payment.amount, mandat: payment.mandateNumber, bordereau: payment.bordereau, retourFile: payment.retourFile };
    if (ruleOf('helios-paid').from.includes(invoice.status as InvoiceStatus)) {
      await this.transitions.perform(em, invoiceId, 'helios-paid', { role: 'helios', name: 'Hélios', scope: null }, {}, { details });
      return 'paid';
    }
    // Already « Mise en paiement » (the trésorier's action, or an earlier payment of the same mandat): no transition,
    // the payment is kept beside, with the same keys.
    await this.repository.addHistory(em, {
      invoiceId,
      step: 'HELIOS_PAYMENT',
      label: 'Paiement Hélios',
      actor: 'Hélios',
      at: this.clock.now(),
      fromStatus: invoice.status,
      toStatus: invoice.status,
      details,
    });
    return 'recorded';
  }
}

/** « Statut Chorus Pro reçu »: the status read is always kept, whether or not it moves our state. */
function cppStatusStep(invoice: Pick<InvoiceForWorkflow, 'status' | 'cppStatus'>, { invoiceId, cppStatus, context }: ChorusProStatusReport, at: Date): HistoryStep {
  return {
    invoiceId,
    step: 'CPP_STATUS',
    label: 'Statut Chorus Pro reçu',
    actor: context.actor,
    at,
    fromStatus: invoice.status,
    toStatus: invoice.status,
    flowId: context.flowId ?? null,
    details: { ...context.details, cppStatus, previousCppStatus: invoice.cppStatus },
  };
}

function notFound(invoiceId: string): NotFoundError {
  return new NotFoundError('INVOICE_NOT_FOUND', `Facture introuvable : ${invoiceId}`);
}

function conflict(): ConflictError {
  return new ConflictError('INVOICE_CONFLICT', "La facture a été modifiée pendant la lecture du statut Chorus Pro");
}
