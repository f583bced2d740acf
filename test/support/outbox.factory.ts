import { createHash, randomBytes } from 'node:crypto';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructuresService } from '@/structures/structures.service';
import { TestApp } from '@test/support/test-app';

export interface OutboxStatusDraft {
  status: string;
  reason?: string;
  mandateNumber?: string;
}

export interface OutboxInvoiceDraft {
  cproId?: string | null;
  cadre?: string;
  number?: string;
  debtorId?: string;
  supplierName?: string;
  statuses: OutboxStatusDraft[];
}

export interface CreatedOutboxInvoice {
  invoiceId: string;
  number: string;
  outboxIds: number[];
}

let batch = 0;

/**
 * Invoices with their status_outbox rows, inserted in bulk as the workflow would leave them (consistent with
 * the initial migration): for status-return tests that need hundreds of pending rows quickly. Rows are
 * created in invoice order, then in the order of `statuses` (the per-invoice sending order).
 */
export async function createOutboxInvoices(
  t: TestApp,
  structureSiret: string | null,
  drafts: OutboxInvoiceDraft[],
  createdAt = new Date('2026-03-02T09:00:00Z'),
): Promise<CreatedOutboxInvoice[]> {
  let structureId: string | null = null;
  if (structureSiret) {
    const structures = t.app.get(StructuresService);
    const s = (await structures.findEntityBySiret(structureSiret)) ?? (await structures.upsert({ siret: structureSiret, name: `Structure ${structureSiret}` }));
    structureId = s.id;
  }
  batch += 1;
  const tag = `${Date.now().toString(36)}${batch}${randomBytes(2).toString('hex')}`;
  const sha = createHash('sha256').update(tag).digest('hex');
  return t.app.get(UnitOfWork).run(async (em) => {
    const [flow] = await em.query(
      `INSERT INTO flows (sha256, file_name, source, size, storage_key, status, invoice_count, received_at, completed_at)
       VALUES ($1::text, $2, 'cli', 1000, $1::text, 'integrated', $3, now(), now()) RETURNING id`,
      [sha, `outbox-${tag}.xml`, drafts.length],
    );
    const numbers = drafts.map((d, k) => d.number ?? `S${tag}-${k + 1}`);
    const invoices: Array<{ id: string; num_ordre: number }> = await em.query(
      `INSERT INTO invoices (flow_id, num_ordre, structure_id, supplier_id_type, supplier_id, supplier_name, supplier_country,
                             debtor_id_type, debtor_id, debtor_name, number, invoice_year, cpro_id, type, cadre, issue_date,
                             reception_date, amount_ht, amount_ttc, net_amount, status, cpp_status)
       SELECT $1, n, $2, '1', '44306184100047', sn, 'FR', '1', d, 'Débiteur', num, 2026, c, '380', cad, '2026-02-27',
              '2026-03-02', 100, 120, 120, 'A_TRAITER', 'MISE_A_DISPOSITION'
         FROM unnest($3::int[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[]) AS x(n, num, c, cad, d, sn)
       RETURNING id, num_ordre`,
      [
        flow.id,
        structureId,
        drafts.map((_, k) => k + 1),
        numbers,
        drafts.map((d) => d.cproId ?? null),
        drafts.map((d) => d.cadre ?? 'A1'),
        drafts.map((d) => d.debtorId ?? structureSiret ?? '21930053000017'),
        drafts.map((d) => d.supplierName ?? 'SARL Fournisseur & Fils'),
      ],
    );
    const idByOrdre = new Map(invoices.map((i) => [Number(i.num_ordre), i.id]));
    const rows: Array<{ invoiceId: string; status: string; reason: string | null; mandate: string | null }> = [];
    drafts.forEach((d, k) => {
      for (const s of d.statuses) rows.push({ invoiceId: idByOrdre.get(k + 1) as string, status: s.status, reason: s.reason ?? null, mandate: s.mandateNumber ?? null });
    });
    const ids: Array<{ id: number; invoice_id: string }> = rows.length
      ? await em.query(
          `INSERT INTO status_outbox (invoice_id, structure_id, target_status, reason, mandate_number, created_at, next_attempt_at)
           SELECT i, $1, s, r, m, $6, $6 FROM unnest($2::uuid[], $3::varchar[], $4::text[], $5::varchar[]) WITH ORDINALITY AS x(i, s, r, m, o)
            ORDER BY o
           RETURNING id, invoice_id`,
          [structureId, rows.map((r) => r.invoiceId), rows.map((r) => r.status), rows.map((r) => r.reason), rows.map((r) => r.mandate), createdAt],
        )
      : [];
    const byInvoice = new Map<string, number[]>();
    for (const r of ids.map((x) => ({ id: Number(x.id), invoiceId: x.invoice_id })).sort((a, b) => a.id - b.id)) {
      byInvoice.set(r.invoiceId, [...(byInvoice.get(r.invoiceId) ?? []), r.id]);
    }
    return drafts.map((_, k) => {
      const invoiceId = idByOrdre.get(k + 1) as string;
      return { invoiceId, number: numbers[k], outboxIds: byInvoice.get(invoiceId) ?? [] };
    });
  });
}

export async function outboxRows(t: TestApp): Promise<Array<{ id: number; invoiceId: string; targetStatus: string; state: string; attempts: number; sentVia: string | null; statusFlowId: string | null; errorCode: string | null; lastError: string | null }>> {
  const rows = await t.app.get(UnitOfWork).dataSource.query(
    `SELECT id, invoice_id AS "invoiceId", target_status AS "targetStatus", state, attempts, sent_via AS "sentVia",
            status_flow_id AS "statusFlowId", error_code AS "errorCode", last_error AS "lastError"
       FROM status_outbox ORDER BY id`,
  );
  return rows.map((r: { id: number; attempts: number }) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) }));
}
