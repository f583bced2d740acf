import { EntityManager } from 'typeorm';

/**
 * What ingestion and the Chorus Pro pull tell the workflow: Chorus Pro reports a status for a known invoice
 * (e.g. COMPLETEE after a suspension, MISE_EN_PAIEMENT set by the comptable). The workflow decides what it
 * means (state machine), inside the caller's transaction, and writes the history step.
 */
export abstract class InvoiceWorkflowPort {
  abstract onChorusProStatus(
    em: EntityManager,
    invoiceId: string,
    cppStatus: string,
    context: { actor: string; flowId?: string | null; details?: Record<string, unknown> },
  ): Promise<void>;
}
