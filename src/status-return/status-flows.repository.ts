import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '@/common/http/validators';

export interface StatusFlowView {
  id: string;
  direction: 'out' | 'in';
  fileName: string;
  idFlx: string | null;
  dtPrd: string | null;
  sha256: string;
  size: number;
  structureId: string | null;
  statusCount: number;
  outboxIds: number[];
  filters: Record<string, unknown> | null;
  report: Record<string, unknown> | null;
  createdBy: string;
  createdAt: Date;
  storageKey: string | null;
}

export type NewStatusFlow = Omit<StatusFlowView, 'id' | 'createdAt'> & { createdAt: Date };

const COLUMNS = `id, direction, file_name AS "fileName", id_flx AS "idFlx", dt_prd AS "dtPrd", sha256, size,
  structure_id AS "structureId", status_count AS "statusCount", outbox_ids AS "outboxIds", filters, report,
  created_by AS "createdBy", created_at AS "createdAt", storage_key AS "storageKey"`;

function normalise(row: StatusFlowView): StatusFlowView {
  return { ...row, size: Number(row.size), outboxIds: (row.outboxIds ?? []).map(Number) };
}

/** The registry of CPPStatut files generated (what each carried) and imported (what each said). */
@Injectable()
export class StatusFlowsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, flow: NewStatusFlow): Promise<string> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO status_flows (direction, file_name, id_flx, dt_prd, sha256, storage_key, size, structure_id, status_count,
                                 outbox_ids, filters, report, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint[], $11, $12, $13, $14) RETURNING id`,
      [
        flow.direction,
        flow.fileName,
        flow.idFlx,
        flow.dtPrd,
        flow.sha256,
        flow.storageKey,
        flow.size,
        flow.structureId,
        flow.statusCount,
        flow.outboxIds,
        flow.filters ? JSON.stringify(flow.filters) : null,
        flow.report ? JSON.stringify(flow.report) : null,
        flow.createdBy,
        flow.createdAt,
      ],
    );
    return rows[0].id;
  }

  async setOutboxIds(em: EntityManager, id: string, outboxIds: number[]): Promise<void> {
    await em.query(`UPDATE status_flows SET outbox_ids = $2::bigint[], status_count = $3 WHERE id = $1`, [id, outboxIds, outboxIds.length]);
  }

  async findImportBySha(sha256: string): Promise<StatusFlowView | null> {
    const rows: StatusFlowView[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM status_flows WHERE direction = 'in' AND sha256 = $1`, [sha256]);
    return rows[0] ? normalise(rows[0]) : null;
  }

  async findById(id: string): Promise<StatusFlowView | null> {
    if (!isUuid(id)) return null;
    const rows: StatusFlowView[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM status_flows WHERE id = $1`, [id]);
    return rows[0] ? normalise(rows[0]) : null;
  }

  async list(filter: { direction?: 'out' | 'in'; structureIds: string[] | 'all'; includeUnassigned: boolean; limit: number }): Promise<StatusFlowView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.direction) {
      params.push(filter.direction);
      where.push(`direction = $${params.length}`);
    }
    if (filter.structureIds !== 'all') {
      params.push(filter.structureIds);
      where.push(`(structure_id = ANY($${params.length}::uuid[])${filter.includeUnassigned ? ' OR structure_id IS NULL' : ''})`);
    }
    params.push(filter.limit);
    const rows: StatusFlowView[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM status_flows ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT $${params.length}`,
      params,
    );
    return rows.map(normalise);
  }

  /** What a generated file carried: one line per status. */
  async carried(id: string): Promise<Array<{ outboxId: number; invoiceId: string; invoiceNumber: string; targetStatus: string; reason: string | null }>> {
    const rows: Array<{ outboxId: number; invoiceId: string; invoiceNumber: string; targetStatus: string; reason: string | null }> =
      await this.dataSource.query(
        `SELECT o.id AS "outboxId", o.invoice_id AS "invoiceId", i.number AS "invoiceNumber", o.target_status AS "targetStatus", o.reason
           FROM status_outbox o JOIN invoices i ON i.id = o.invoice_id WHERE o.status_flow_id = $1 ORDER BY o.id`,
        [id],
      );
    return rows.map((r) => ({ ...r, outboxId: Number(r.outboxId) }));
  }
}
