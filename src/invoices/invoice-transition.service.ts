import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { AppConfig } from '@/config/app.config';
import { ActorRole, decide, InvoiceAction, InvoiceStatus, isUnknownRecipient, STATUS_LABELS } from '@/invoices/invoice-state.machine';
import { InvoiceTransitionsRepository } from '@/invoices/invoice-transitions.repository';
import { MandateInput, MandatesService } from '@/invoices/mandates.service';
import { daysLeft, localDate, resumeDueDate } from '@/invoices/payment-deadline';
import { MAX_REASON_LENGTH, ReasonsService } from '@/invoices/reasons.service';
import { codePointLength } from '@/common/text/code-points';
import { InvoiceScope, inScope } from '@/users/principal';

export interface WorkflowActor {
  role: ActorRole;
  /** Written in the history (e-mail of the user, or « Chorus Pro »). */
  name: string;
  /** null for Chorus Pro reports (trusted, already scoped by the caller). */
  scope: InvoiceScope | null;
}

export interface ActionInput extends MandateInput {
  reasonCode?: string;
  complement?: string;
}

export interface TransitionOutcome {
  id: string;
  status: string;
  previousStatus: string;
  mandateNumber?: string;
  dueDate: string | null;
  daysLeft: number | null;
}

const REASON_ACTION = { reject: 'reject', suspend: 'suspend' } as const;

/**
 * Applies one transition decided by the state machine, in the caller's transaction: the invoice row
 * (optimistic lock), the mandate if any, the history step and the outbox row owed to Chorus Pro.
 */
@Injectable()
export class InvoiceTransitionService {
  constructor(
    private readonly repository: InvoiceTransitionsRepository,
    private readonly mandates: MandatesService,
    private readonly reasons: ReasonsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async perform(
    em: EntityManager,
    invoiceId: string,
    action: InvoiceAction,
    actor: WorkflowActor,
    input: ActionInput = {},
    origin: { flowId?: string | null; details?: Record<string, unknown> } = {},
  ): Promise<TransitionOutcome> {
    const invoice = await this.repository.load(em, invoiceId);
    if (!invoice) throw new NotFoundError('INVOICE_NOT_FOUND', `Facture introuvable : ${invoiceId}`);
    if (actor.scope && !inScope(actor.scope, invoice.structureId)) {
      throw new ForbiddenError('INVOICE_FORBIDDEN', "Cette facture n'appartient pas à vos structures");
    }
    const pendingRejection = action === 'cancel-rejection' ? await this.repository.pendingRejection(em, invoice.id) : null;
    const rule = decide(action, {
      status: invoice.status,
      role: actor.role,
      unknownRecipient: isUnknownRecipient(invoice),
      reasonGiven: Boolean(input.reasonCode?.trim()),
      rejectionPending: pendingRejection !== null,
    });

    let reason: string | null = null;
    if (action === 'reject' || action === 'suspend') {
      reason = await this.reasons.reasonText(em, invoice.structureId, input.reasonCode, input.complement, REASON_ACTION[action]);
    } else if (action === 'recycle' && input.complement?.trim()) {
      reason = input.complement.trim().replace(/\s+/g, ' ');
      if (codePointLength(reason) > MAX_REASON_LENGTH) {
        throw new DomainError('REASON_TOO_LONG', `Motif trop long pour Chorus Pro (${MAX_REASON_LENGTH} caractères au plus)`);
      }
    }
    const checkedMandate = action === 'mandate' ? this.mandates.validate(invoice, input) : null;

    const now = this.clock.now();
    const today = localDate(now, this.config.timezone);
    let { dueDate, suspendedSince } = invoice;
    const deadline: Record<string, unknown> = {};
    if (rule.to === 'SUSPENDUE') {
      suspendedSince = now;
    } else if (invoice.status === 'SUSPENDUE') {
      // Délai global de paiement: paused while suspended, pushed back by the days paused on resumption.
      const suspendedOn = invoice.suspendedSince ? localDate(invoice.suspendedSince, this.config.timezone) : today;
      dueDate = resumeDueDate(invoice.dueDate, suspendedOn, today);
      suspendedSince = null;
      deadline.previousDueDate = invoice.dueDate;
      deadline.dueDate = dueDate;
    }

    const updated = await this.repository.update(em, invoice, { status: rule.to, dueDate, suspendedSince, cppStatus: invoice.cppStatus, now });
    if (!updated) {
      const current = await this.repository.load(em, invoice.id);
      const label = STATUS_LABELS[current?.status as InvoiceStatus] ?? current?.status;
      throw new ConflictError(
        'INVOICE_CONFLICT',
        `La facture vient d'être modifiée par un autre utilisateur (état actuel : « ${label} ») : rechargez-la avant d'agir`,
        { status: current?.status },
      );
    }

    let mandate: { id: string; number: string } | null = null;
    if (checkedMandate) {
      mandate = await this.mandates.create(em, invoice, checkedMandate, actor.name, Number(today.slice(0, 4)));
    }
    if (pendingRejection !== null) await this.repository.cancelOutbox(em, pendingRejection);

    const historyId = await this.repository.addHistory(em, {
      invoiceId: invoice.id,
      step: rule.step,
      label: rule.label,
      actor: actor.name,
      at: now,
      fromStatus: invoice.status,
      toStatus: rule.to,
      flowId: origin.flowId ?? null,
      details: compact({
        ...origin.details,
        ...deadline,
        reasonCode: input.reasonCode?.trim().toUpperCase() || undefined,
        reason: reason ?? undefined,
        mandateNumber: mandate?.number,
        train: checkedMandate?.train,
        imputations: checkedMandate?.imputations,
        cancelledOutboxId: pendingRejection ?? undefined,
      }),
    });
    if (rule.produces) {
      await this.repository.addOutbox(em, {
        invoiceId: invoice.id,
        structureId: invoice.structureId,
        targetStatus: rule.produces,
        reason,
        mandateNumber: mandate?.number ?? null,
        historyId,
        now,
      });
    }
    return {
      id: invoice.id,
      status: rule.to,
      previousStatus: invoice.status,
      ...(mandate ? { mandateNumber: mandate.number } : {}),
      dueDate,
      daysLeft: daysLeft(dueDate, today, suspendedSince ? localDate(suspendedSince, this.config.timezone) : null),
    };
  }
}

function compact(o: Record<string, unknown>): Record<string, unknown> | null {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : null;
}
