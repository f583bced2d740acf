import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@/common/errors/domain.error';

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

  async forDate(date: string, timeZone: string, structureIds: string[] | 'all'): Promise<{ date: string; structures: AnomalyReportSection[] }> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
      throw new DomainError('INVALID_DATE', `Date invalide : « ${date} » (AAAA-MM-JJ attendu)`);
    }
    const scoped = structureIds === 'all' ? null : structureIds;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT * FROM (
         SELECT s.siret, s.name AS structure_name, i.debtor_id, f.id AS flow_id, f.file_name, i.number AS invoice_number,
                to_char(a.created_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day, a.code, a.message, a.created_at AS at, i.structure_id
           FROM invoice_anomalies a
           JOIN invoices i ON i.id = a.invoice_id
           JOIN flows f ON f.id = i.flow_id
           LEFT JOIN structures s ON s.id = i.structure_id
         UNION ALL
         SELECT NULL, NULL, e.recipient_siret, f.id, f.file_name, e.invoice_number,
                to_char(e.created_at AT TIME ZONE $2, 'YYYY-MM-DD'), e.code, e.message, e.created_at, NULL
           FROM flow_errors e JOIN flows f ON f.id = e.flow_id
         UNION ALL
         SELECT NULL, NULL, NULL, f.id, f.file_name, NULL,
                to_char(f.received_at AT TIME ZONE $2, 'YYYY-MM-DD'), f.error_code, f.error_message, f.received_at, NULL
           FROM flows f WHERE f.status = 'rejected'
       ) r
       WHERE r.day = $1 AND ($3::uuid[] IS NULL OR r.structure_id = ANY($3::uuid[]))
       ORDER BY r.siret NULLS LAST, r.at`,
      [date, timeZone, scoped],
    );
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
}
