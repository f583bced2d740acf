import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FileStore } from '@/storage/file-store.port';
import { NotFoundError } from '@/common/errors/domain.error';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity, FlowStatus } from '@/flows/flow.entity';
import { InvoiceScope } from '@/users/principal';

export interface FlowListFilters {
  limit?: number;
  /** Received before this date-time (ISO 8601): the next page. */
  before?: string;
  /** SIRET of one of the caller's structures. */
  structure?: string;
  status?: FlowStatus;
}

/**
 * The visibility rule of a flow, as SQL on the alias `f`: attributed to one of the caller's structures
 * (flow_structures, written at import), or — administrators, CLI — attributed to none (like an invoice with no
 * structure). `param` is the placeholder holding the caller's structure ids.
 */
export function flowVisibleSql(scope: InvoiceScope, param: string): string {
  if (scope.structureIds === 'all') return scope.includeUnassigned ? 'TRUE' : 'EXISTS (SELECT 1 FROM flow_structures fs WHERE fs.flow_id = f.id)';
  const mine = `EXISTS (SELECT 1 FROM flow_structures fs WHERE fs.flow_id = f.id AND fs.structure_id = ANY(${param}::uuid[]))`;
  return scope.includeUnassigned ? `(${mine} OR NOT EXISTS (SELECT 1 FROM flow_structures fs WHERE fs.flow_id = f.id))` : mine;
}

/** « Suivi démat »: received flows (rejected files included), what became of them and of their invoices. */
@Injectable()
export class FlowsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: FileStore,
  ) {}

  async list(scope: InvoiceScope, filters: FlowListFilters = {}) {
    const params: unknown[] = [Math.min(Math.max(filters.limit ?? 50, 1), 500), scopeIds(scope)];
    const where: string[] = [flowVisibleSql(scope, '$2')];
    if (filters.before) {
      params.push(filters.before);
      where.push(`f.received_at < $${params.length}::timestamptz`);
    }
    if (filters.status) {
      params.push(filters.status);
      where.push(`f.status = $${params.length}`);
    }
    if (filters.structure) {
      params.push(filters.structure);
      where.push(`EXISTS (SELECT 1 FROM flow_structures fs JOIN structures s ON s.id = fs.structure_id WHERE fs.flow_id = f.id AND s.siret = $${params.length} AND ($2::uuid[] IS NULL OR fs.structure_id = ANY($2::uuid[])))`);
    }
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT f.id, f.file_name, f.source, f.status, f.size, f.sha256, f.id_flx, f.dt_prd, f.version,
              f.invoice_count, f.error_code, f.error_message, f.received_at, f.completed_at
         FROM flows f WHERE ${where.join(' AND ')}
        ORDER BY f.received_at DESC LIMIT $1`,
      params,
    );
    const structures = await this.structuresOf(scope, rows.map((r) => String(r.id)));
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
      structures: structures.get(String(r.id)) ?? [],
    }));
  }

  async get(scope: InvoiceScope, id: string) {
    const flow = UUID.test(id) ? await this.dataSource.getRepository(FlowEntity).findOne({ where: { id } }) : null;
    if (!flow || !(await this.visible(scope, id))) throw new NotFoundError('FLOW_NOT_FOUND', `Flux introuvable : ${id}`);
    const errors = await this.dataSource.getRepository(FlowErrorEntity).find({ where: { flowId: id }, order: { createdAt: 'ASC' } });
    const structures = (await this.structuresOf(scope, [id])).get(id) ?? [];
    return { ...flow, size: Number(flow.size), structures, errors };
  }

  /** The raw file as received (kept gzip under its SHA-256; streamed back uncompressed), for whoever sees the flow. */
  async openRaw(scope: InvoiceScope, id: string): Promise<{ fileName: string; size: number; stream: Readable }> {
    const flow = await this.get(scope, id);
    // A ZIP entry is named « archive.zip!flux.xml »: the download is the entry.
    const fileName = flow.fileName.slice(flow.fileName.lastIndexOf('!') + 1) || 'flux.xml';
    return { fileName, size: flow.size, stream: await this.store.openRead(flow.storageKey) };
  }

  /** Whether the caller may see the flow (its raw file, its errors): the rule of flowVisibleSql. */
  async visible(scope: InvoiceScope, flowId: string): Promise<boolean> {
    if (!UUID.test(flowId)) return false;
    const rows: Array<{ ok: boolean }> = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM flows f WHERE f.id = $1 AND ${flowVisibleSql(scope, '$2')}) AS ok`,
      [flowId, scopeIds(scope)],
    );
    return Boolean(rows[0]?.ok);
  }

  /** The structures each flow is attributed to, among those the caller may see. */
  private async structuresOf(scope: InvoiceScope, flowIds: string[]): Promise<Map<string, Array<{ siret: string; name: string }>>> {
    const out = new Map<string, Array<{ siret: string; name: string }>>();
    if (flowIds.length === 0) return out;
    const rows: Array<{ flow_id: string; siret: string; name: string }> = await this.dataSource.query(
      `SELECT fs.flow_id, s.siret, s.name FROM flow_structures fs JOIN structures s ON s.id = fs.structure_id
        WHERE fs.flow_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR fs.structure_id = ANY($2::uuid[]))
        ORDER BY s.siret`,
      [flowIds, scopeIds(scope)],
    );
    for (const r of rows) {
      const list = out.get(r.flow_id) ?? [];
      list.push({ siret: r.siret, name: r.name });
      out.set(r.flow_id, list);
    }
    return out;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's structure ids as a query parameter (null: every structure). */
function scopeIds(scope: InvoiceScope): string[] | null {
  return scope.structureIds === 'all' ? null : scope.structureIds;
}
