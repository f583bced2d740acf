import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@/common/errors/domain.error';
import { InvoiceScope } from '@/users/principal';

export interface AnomalyReportLine {
  flowId: string;
  fileName: string;
  invoiceNumber: string | null;
  date: string;
  code: string;
  reason: string;
}

export interface AnomalyReportSection {
  siret: string | null;
  structureName: string | null;
  lines: AnomalyReportLine[];
}

/**
 * The daily anomaly report per structure (flow id, invoice number, date, reason), like the one Chorus Pro
 * gives its senders: anomalies found on stored invoices, unreadable invoices and rejected flows of the day.
 */
@Injectable()
export class AnomalyReportService {
  constructor(private readonly dataSource: DataSource) {}

  async forDate(date: string, timeZone: string, scope: InvoiceScope): Promise<{ date: string; structures: AnomalyReportSection[] }> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
      throw new DomainError('INVALID_DATE', `Date invalide : « ${date} » (AAAA-MM-JJ attendu)`);
    }
    const q = this.query(date, timeZone, scope);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(q.sql, q.params);
    const sections = new Map<string, AnomalyReportSection>();
    for (const r of rows) {
      const siret = (r.siret as string | null) ?? null;
      const key = siret ?? '';
      if (!sections.has(key)) sections.set(key, { siret, structureName: (r.structure_name as string | null) ?? null, lines: [] });
      sections.get(key)!.lines.push({
        flowId: String(r.flow_id),
        fileName: String(r.file_name),
        invoiceNumber: (r.invoice_number as string | null) ?? null,
        date: String(r.day),
        code: String(r.code),
        reason: String(r.message),
      });
    }
    return { date, structures: [...sections.values()] };
  }

  /**
   * The report's SQL (the bench times it raw and prints its plan). The day is a range of instants — local midnight
   * to the next one in the configured time zone — so each part reads one day of its created_at / received_at index
   * (invoice_anomalies_created_idx, flow_errors_created_idx, flows_received_at_idx) instead of formatting every row.
   * Flow-level lines (unreadable invoices, rejected files) go to each structure the flow is attributed to
   * (flow_structures), or to none; lines of no structure are shown like invoices of no structure (admins).
   */
  query(date: string, timeZone: string, scope: InvoiceScope): { sql: string; params: unknown[] } {
    const scoped = scope.structureIds === 'all' ? null : scope.structureIds;
    const day = (col: string) => `${col} >= ($1::date)::timestamp AT TIME ZONE $2 AND ${col} < ($1::date + 1)::timestamp AT TIME ZONE $2`;
    return {
      sql: `SELECT r.*, s.siret, s.name AS structure_name FROM (
         SELECT i.structure_id, f.id AS flow_id, f.file_name, i.number AS invoice_number,
                to_char(a.created_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day, a.code, a.message, a.created_at AS at
           FROM invoice_anomalies a
           JOIN invoices i ON i.id = a.invoice_id
           JOIN flows f ON f.id = i.flow_id
          WHERE ${day('a.created_at')}
         UNION ALL
         SELECT fs.structure_id, f.id, f.file_name, e.invoice_number,
                to_char(e.created_at AT TIME ZONE $2, 'YYYY-MM-DD'), e.code, e.message, e.created_at
           FROM flow_errors e JOIN flows f ON f.id = e.flow_id LEFT JOIN flow_structures fs ON fs.flow_id = f.id
          WHERE ${day('e.created_at')}
         UNION ALL
         SELECT fs.structure_id, f.id, f.file_name, NULL,
                to_char(f.received_at AT TIME ZONE $2, 'YYYY-MM-DD'), f.error_code, f.error_message, f.received_at
           FROM flows f LEFT JOIN flow_structures fs ON fs.flow_id = f.id WHERE f.status = 'rejected' AND ${day('f.received_at')}
       ) r
       LEFT JOIN structures s ON s.id = r.structure_id
       WHERE (r.structure_id IS NULL AND $4::boolean OR r.structure_id IS NOT NULL AND ($3::uuid[] IS NULL OR r.structure_id = ANY($3::uuid[])))
       ORDER BY s.siret NULLS LAST, r.at`,
      params: [date, timeZone, scoped, scope.includeUnassigned],
    };
  }
}
