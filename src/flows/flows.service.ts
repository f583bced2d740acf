import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FileStore } from '@/storage/file-store.port';
import { NotFoundError } from '@/common/errors/domain.error';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity } from '@/flows/flow.entity';

export type FlowScope = { structureIds: string[] | 'all'; includeUnassigned?: boolean };

/** « Suivi démat »: received flows, what became of them and of their invoices. */
@Injectable()
export class FlowsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: FileStore,
  ) {}

  async list(scope: FlowScope, limit = 50, before?: string) {
    const params: unknown[] = [Math.min(Math.max(limit, 1), 500)];
    const where: string[] = [];
    if (before && !Number.isNaN(Date.parse(before))) {
      params.push(before);
      where.push(`f.received_at < $${params.length}::timestamptz`);
    }
    if (scope.structureIds !== 'all') {
      // A user sees the flows carrying at least one invoice of their structures.
      params.push(scope.structureIds);
      where.push(`EXISTS (SELECT 1 FROM invoices i WHERE i.flow_id = f.id AND i.structure_id = ANY($${params.length}::uuid[]))`);
    }
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT f.id, f.file_name, f.source, f.status, f.size, f.sha256, f.id_flx, f.dt_prd, f.version,
              f.invoice_count, f.error_code, f.error_message, f.received_at, f.completed_at
         FROM flows f ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY f.received_at DESC LIMIT $1`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      fileName: r.file_name,
      source: r.source,
      status: r.status,
      size: Number(r.size),
      sha256: r.sha256,
      idFlx: r.id_flx,
      dtPrd: r.dt_prd,
      version: r.version,
      invoiceCount: Number(r.invoice_count),
      errorCode: r.error_code,
      errorMessage: r.error_message,
      receivedAt: r.received_at,
      completedAt: r.completed_at,
    }));
  }

  async get(scope: FlowScope, id: string) {
    const flow = /^[0-9a-f-]{36}$/i.test(id) ? await this.dataSource.getRepository(FlowEntity).findOne({ where: { id } }) : null;
    if (!flow || !(await this.visible(scope, id))) throw new NotFoundError('FLOW_NOT_FOUND', `Flux introuvable : ${id}`);
    const errors = await this.dataSource.getRepository(FlowErrorEntity).find({ where: { flowId: id }, order: { createdAt: 'ASC' } });
    return { ...flow, size: Number(flow.size), errors };
  }

  /** The raw file as received (kept gzip under its SHA-256; streamed back uncompressed), for whoever sees the flow. */
  async openRaw(scope: FlowScope, id: string): Promise<{ fileName: string; size: number; stream: Readable }> {
    const flow = await this.get(scope, id);
    // A ZIP entry is named « archive.zip!flux.xml »: the download is the entry.
    const fileName = flow.fileName.slice(flow.fileName.lastIndexOf('!') + 1) || 'flux.xml';
    return { fileName, size: flow.size, stream: await this.store.openRead(flow.storageKey) };
  }

  /**
   * A user sees a flow carrying at least one invoice of their structures; flows with no stored invoice
   * (rejected, or only unknown recipients) are shown to administrators, who handle those.
   */
  private async visible(scope: FlowScope, flowId: string): Promise<boolean> {
    if (scope.structureIds === 'all') return true;
    const rows: Array<{ ok: boolean }> = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM invoices WHERE flow_id = $1 AND structure_id = ANY($2::uuid[])) AS ok`,
      [flowId, scope.structureIds],
    );
    return rows[0].ok || Boolean(scope.includeUnassigned);
  }
}
