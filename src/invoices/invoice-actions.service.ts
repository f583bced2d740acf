import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { isUserAction, UserAction } from '@/invoices/invoice-state.machine';
import { ActionInput, InvoiceTransitionService, TransitionOutcome } from '@/invoices/invoice-transition.service';
import { HistoryView, InvoiceTransitionsRepository } from '@/invoices/invoice-transitions.repository';
import { MandatesService, MandateView } from '@/invoices/mandates.service';
import { inScope, Principal, scopeOf } from '@/users/principal';

export type BulkResult =
  | { id: string; ok: true; status: string; mandateNumber?: string; dueDate: string | null; daysLeft: number | null }
  | { id: string; ok: false; code: string; message: string };

export const MAX_BULK = 500;

/** The staff's and the trésorier's actions on invoices (REST, CLI, bulk): one transaction per invoice. */
@Injectable()
export class InvoiceActionsService {
  private readonly logger = new Logger(InvoiceActionsService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly transitions: InvoiceTransitionService,
    private readonly repository: InvoiceTransitionsRepository,
    private readonly mandates: MandatesService,
  ) {}

  act(principal: Principal, action: UserAction, invoiceId: string, input: ActionInput = {}): Promise<TransitionOutcome> {
    if (!isUserAction(action)) throw new DomainError('UNKNOWN_ACTION', `Action inconnue : « ${action} »`);
    return this.uow.run((em) =>
      this.transitions.perform(em, invoiceId, action, { role: principal.role, name: principal.email, scope: scopeOf(principal) }, input),
    );
  }

  /** Facturer tout, mandater, rejeter … on a selection: each invoice on its own, a refusal undoes nothing else. */
  async bulk(principal: Principal, action: UserAction, ids: string[], input: ActionInput = {}): Promise<{ results: BulkResult[] }> {
    if (!isUserAction(action)) throw new DomainError('UNKNOWN_ACTION', `Action inconnue : « ${action} »`);
    if (ids.length > MAX_BULK) throw new DomainError('TOO_MANY_INVOICES', `Sélection trop grande (${MAX_BULK} factures au plus)`);
    const results: BulkResult[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        const r = await this.act(principal, action, id, input);
        results.push({ id, ok: true, status: r.status, ...(r.mandateNumber ? { mandateNumber: r.mandateNumber } : {}), dueDate: r.dueDate, daysLeft: r.daysLeft });
      } catch (err) {
        if (err instanceof DomainError) {
          results.push({ id, ok: false, code: err.code, message: err.message });
        } else {
          this.logger.error(err instanceof Error ? err.stack : String(err));
          results.push({ id, ok: false, code: 'INTERNAL_ERROR', message: 'Erreur interne du service' });
        }
      }
    }
    return { results };
  }

  async history(principal: Principal, invoiceId: string): Promise<HistoryView[]> {
    await this.assertVisible(principal, invoiceId);
    return this.repository.history(invoiceId);
  }

  async mandate(principal: Principal, invoiceId: string): Promise<MandateView> {
    await this.assertVisible(principal, invoiceId);
    const mandate = await this.mandates.findByInvoice(invoiceId);
    if (!mandate) throw new NotFoundError('MANDATE_NOT_FOUND', "Cette facture n'a pas de mandat");
    return mandate;
  }

  private async assertVisible(principal: Principal, invoiceId: string): Promise<void> {
    const found = await this.repository.structureOf(invoiceId);
    if (!found) throw new NotFoundError('INVOICE_NOT_FOUND', `Facture introuvable : ${invoiceId}`);
    if (!inScope(scopeOf(principal), found.structureId)) {
      throw new ForbiddenError('INVOICE_FORBIDDEN', "Cette facture n'appartient pas à vos structures");
    }
  }
}
