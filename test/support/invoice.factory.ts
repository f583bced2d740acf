import { createHash, randomBytes } from 'node:crypto';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructuresService } from '@/structures/structures.service';
import { TestApp } from '@test/support/test-app';

export interface InvoiceDraft {
  /** Recipient structure (created when missing); null for an invoice whose recipient is unknown. */
  structureSiret: string | null;
  status?: string;
  number?: string;
  netAmount?: string;
  type?: '380' | '381';
  cadre?: string;
  issueDate?: string;
  receptionDate?: string;
  dueDate?: string | null;
  anomalyCodes?: string[];
  supplierName?: string;
  /** Supplier SIRET (numbers are unique per supplier and year). */
  supplierId?: string;
  bankAccount?: string | null;
  cppStatus?: string | null;
}

let counter = 0;

/**
 * Inserts what ingestion would (flow, invoice, one type 01 attachment, « Lecture flux »), consistent with
 * the initial migration, without going through the pivot reader: for workflow tests.
 */
export async function createInvoice(t: TestApp, draft: InvoiceDraft): Promise<{ id: string; structureId: string | null; attachmentId: string }> {
  let structureId: string | null = null;
  if (draft.structureSiret) {
    const structures = t.app.get(StructuresService);
    const s = (await structures.findEntityBySiret(draft.structureSiret)) ?? (await structures.upsert({ siret: draft.structureSiret, name: `Structure ${draft.structureSiret}` }));
    structureId = s.id;
  }
  counter += 1;
  const number = draft.number ?? `F${Date.now().toString(36)}${counter}${randomBytes(2).toString('hex')}`;
  const sha = createHash('sha256').update(`${number}-${counter}-${randomBytes(8).toString('hex')}`).digest('hex');
  const receptionDate = draft.receptionDate ?? '2026-03-02';
  const anomalies = draft.anomalyCodes ?? (structureId ? [] : ['UNKNOWN_RECIPIENT']);
  return t.app.get(UnitOfWork).run(async (em) => {
    const [flow] = await em.query(
      `INSERT INTO flows (sha256, file_name, source, size, storage_key, status, invoice_count, received_at, completed_at)
       VALUES ($1::text, $2, 'cli', 1000, $1::text, 'integrated', 1, now(), now()) RETURNING id`,
      [sha, `${number}.xml`],
    );
    const [invoice] = await em.query(
      `INSERT INTO invoices (flow_id, num_ordre, structure_id, supplier_id_type, supplier_id, supplier_name, bank_type, bank_account,
                             bank_holder, debtor_id_type, debtor_id, number, invoice_year, cpro_id, type, cadre, issue_date,
                             reception_date, amount_ht, amount_ttc, net_amount, status, cpp_status, anomaly_codes, due_date,
                             attachment_count, received_at)
       VALUES ($1, 1, $2, '1', $17, $3, 'IBAN', $4, $3, '1', $5, $6, 2026, $7, $8, $9, $10, $11,
               $12, $12, $12, $13, $14, $15, $16, 1, now()) RETURNING id`,
      [
        flow.id, structureId, draft.supplierName ?? 'SARL Structure 1', draft.bankAccount === undefined ? 'FR7630006000011234567890189' : draft.bankAccount,
        draft.structureSiret ?? '21930053000017', number, `CPP${sha.slice(0, 12)}`, draft.type ?? '380', draft.cadre ?? 'A1',
        draft.issueDate ?? '2026-02-27', receptionDate, draft.netAmount ?? '3277.420000', draft.status ?? 'A_TRAITER',
        draft.cppStatus === undefined ? 'MISE_A_DISPOSITION' : draft.cppStatus, anomalies,
        draft.dueDate === undefined ? addDays(receptionDate, 30) : draft.dueDate,
        draft.supplierId ?? '44306184100047',
      ],
    );
    const [attachment] = await em.query(
      `INSERT INTO invoice_attachments (invoice_id, flow_id, num_ordre, name, type, mime_type, size, sha256, storage_key)
       VALUES ($1, $2, 1, $3, '01', 'application/pdf', 10, $4, $5) RETURNING id`,
      [invoice.id, flow.id, `${number}.pdf`, sha, sha],
    );
    await em.query(
      `INSERT INTO invoice_history (invoice_id, step, label, actor, to_status, flow_id) VALUES ($1, 'FLOW_READ', 'Lecture flux', 'système', $2, $3)`,
      [invoice.id, draft.status ?? 'A_TRAITER', flow.id],
    );
    return { id: invoice.id as string, structureId, attachmentId: attachment.id as string };
  });
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
