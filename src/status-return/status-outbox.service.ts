import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { ConflictError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { InvoiceScope, inScope } from '@/users/principal';
import { OutboxView, StatusOutboxRepository } from '@/status-return/status-outbox.repository';

/** What the staff see and do about the outbox: rows in error, sent again or given up. */
@Injectable()
export class StatusOutboxService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: StatusOutboxRepository,
    private readonly clock: Clock,
  ) {}

  list(scope: InvoiceScope, filter: { state?: string; invoiceId?: string; limit?: number }): Promise<OutboxView[]> {
    return this.outbox.list({ ...filter, structureIds: scope.structureIds, includeUnassigned: scope.includeUnassigned, limit: Math.min(filter.limit ?? 100, 1000) });
  }

  /** A failed row is sent again (the invoice was put right on Chorus Pro's side). */
  retry(id: number, scope: InvoiceScope, actor: string): Promise<void> {
    return this.resolve(id, scope, actor, 'retry');
  }

  /** A failed row is given up (the status was entered on the portal by hand). */
  abandon(id: number, scope: InvoiceScope, actor: string): Promise<void> {
    return this.resolve(id, scope, actor, 'abandon');
  }

  private async resolve(id: number, scope: InvoiceScope, actor: string, action: 'retry' | 'abandon'): Promise<void> {
    await this.uow.run(async (em) => {
      const row = await this.outbox.findOne(em, id);
      if (!row) throw new NotFoundError('OUTBOX_ROW_NOT_FOUND', `Statut à transmettre introuvable : ${id}`);
      if (!inScope(scope, row.structureId)) throw new ForbiddenError('INVOICE_FORBIDDEN', "Cette facture n'appartient pas à vos structures");
      if (row.state !== 'failed') throw new ConflictError('OUTBOX_ROW_NOT_FAILED', `Seul un statut en erreur peut être ${action === 'retry' ? 'renvoyé' : 'abandonné'} (état ${row.state})`);
      const now = this.clock.now();
      if (action === 'retry') await this.outbox.requeue(em, id, now);
      else await this.outbox.abandon(em, id);
      await this.outbox.addHistory(em, [
        {
          invoiceId: row.invoiceId,
          step: action === 'retry' ? 'STATUS_RETRY' : 'STATUS_ABANDON',
          label: action === 'retry' ? 'Retour Chorus Pro relancé' : 'Retour Chorus Pro abandonné (saisi sur le portail)',
          actor,
          at: now,
          details: { outboxId: id },
        },
      ]);
    });
  }
}
