import { Inject, Injectable, Optional } from '@nestjs/common';
import { FactureRecipiendaire } from '@/chorus-pro/chorus-pro.types';
import { DomainError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { ChorusProStatusSeen } from '@/ingestion/ingestion.types';
import { ChorusProStatusReport, InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { PullError } from '@/pull/pull.types';

/** Statuses recorded in one transaction, at most (each with its own history step, decided by the workflow). */
const STATUSES_PER_TRANSACTION = 100;
const ACTOR = 'Chorus Pro';

export interface StatusToRecord {
  invoice: { id: string; cppStatus: string | null };
  entry: FactureRecipiendaire;
}

/**
 * Hands the statuses a search reported to the invoice workflow (which decides what they mean, state machine). Each
 * change is written with its history step in the same transaction; up to STATUSES_PER_TRANSACTION changes share one
 * commit (5,000 new invoices of a pull are 5,000 « MISE_A_DISPOSITION » to record). When a shared transaction fails,
 * its statuses are recorded one per transaction, so only the culprit is reported (blocking: the window stays).
 */
@Injectable()
export class PullStatusRecorder {
  constructor(
    private readonly uow: UnitOfWork,
    @Optional() @Inject(InvoiceWorkflowPort) private readonly workflow: InvoiceWorkflowPort | null,
  ) {}

  /** Records the statuses that differ from the stored ones; returns how many were recorded. */
  async record(siret: string, items: StatusToRecord[], blocking: PullError[]): Promise<number> {
    const todo = items.filter((s) => s.invoice.cppStatus !== s.entry.statut);
    if (todo.length === 0) return 0;
    const workflow = this.workflow;
    if (!workflow) {
      for (const { entry } of todo) {
        blocking.push({ siret, code: 'WORKFLOW_UNAVAILABLE', message: 'Aucun workflow de facture lié : statut Chorus Pro non enregistré', invoice: String(entry.idFacture) });
      }
      return 0;
    }
    let recorded = 0;
    for (let i = 0; i < todo.length; i += STATUSES_PER_TRANSACTION) {
      const chunk = todo.slice(i, i + STATUSES_PER_TRANSACTION);
      try {
        await this.uow.run((em) => workflow.onChorusProStatuses(em, chunk.map(reportOf)));
        for (const s of chunk) s.invoice.cppStatus = s.entry.statut;
        recorded += chunk.length;
        continue;
      } catch {
        // One of them failed (a concurrent change, a conflict): each on its own, so that only it is reported.
      }
      for (const s of chunk) {
        try {
          await this.uow.run((em) => this.tell(workflow, em, s));
          s.invoice.cppStatus = s.entry.statut;
          recorded++;
        } catch (err) {
          blocking.push({ siret, code: err instanceof DomainError ? err.code : 'STATUS_UPDATE_FAILED', message: (err as Error).message, invoice: String(s.entry.idFacture) });
        }
      }
    }
    return recorded;
  }

  private tell(workflow: InvoiceWorkflowPort, em: Parameters<InvoiceWorkflowPort['onChorusProStatus']>[0], s: StatusToRecord): Promise<void> {
    const { invoiceId, cppStatus, context } = reportOf(s);
    return workflow.onChorusProStatus(em, invoiceId, cppStatus, context);
  }
}

function reportOf({ invoice, entry }: StatusToRecord): ChorusProStatusReport {
  return { invoiceId: invoice.id, ...statusSeen(entry) };
}

/** The status a search entry reports, with what the invoice's history keeps of it. */
export function statusSeen(entry: FactureRecipiendaire): ChorusProStatusSeen {
  return {
    cppStatus: entry.statut,
    context: {
      actor: ACTOR,
      details: { idFacture: entry.idFacture, dateHeureEtatCourant: entry.dateHeureEtatCourant, commentaire: entry.commentaireEtatCourant ?? null },
    },
  };
}
