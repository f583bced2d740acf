import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { ConflictError, NotFoundError } from '@/common/errors/domain.error';
import { CPP_STATUS_EVENTS, InvoiceStatus, ruleOf } from '@/invoices/invoice-state.machine';
import { InvoiceTransitionService } from '@/invoices/invoice-transition.service';
import { InvoiceTransitionsRepository } from '@/invoices/invoice-transitions.repository';
import { HeliosPayment, InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';

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
    context: { actor: string; flowId?: string | null; details?: Record<string, unknown> },
  ): Promise<void> {
    const invoice = await this.repository.load(em, invoiceId);
    if (!invoice) throw new NotFoundError('INVOICE_NOT_FOUND', `Facture introuvable : ${invoiceId}`);
    const changed = invoice.cppStatus !== cppStatus;
    if (changed) {
      const now = this.clock.now();
      const ok = await this.repository.update(em, invoice, {
        status: invoice.status,
        dueDate: invoice.dueDate,
        suspendedSince: invoice.suspendedSince,
        cppStatus,
        now,
      });
      if (!ok) throw new ConflictError('INVOICE_CONFLICT', "La facture a été modifiée pendant la lecture du statut Chorus Pro");
      await this.repository.addHistory(em, {
        invoiceId,
        step: 'CPP_STATUS',
        label: 'Statut Chorus Pro reçu',
        actor: context.actor,
        at: now,
        fromStatus: invoice.status,
        toStatus: invoice.status,
        flowId: context.flowId ?? null,
        details: { ...context.details, cppStatus, previousCppStatus: invoice.cppStatus },
      });
    }
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
    if (!invoice) throw new NotFoundError('INVOICE_NOT_FOUND', `Facture introuvable : ${invoiceId}`);
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
