import { promises as fs } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app.config';
import { FlowImportService } from '@/ingestion/flow-import.service';
import { expandFlowInputs } from '@/ingestion/flow-sources';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { emptyReport, ImportOptions, ImportReport, mergeReports } from '@/ingestion/ingestion.types';
import { FileStore } from '@/storage/file-store.port';
import { StructuresRepository } from '@/structures/structures.repository';

@Injectable()
export class IngestionService {
  constructor(
    private readonly flows: FlowImportService,
    private readonly structures: StructuresRepository,
    private readonly store: FileStore,
    private readonly config: AppConfig,
  ) {}

  /** Imports files, directories or ZIPs of CPPFacturePivot flows (same code for CLI, inbox and API pull). */
  async importPaths(paths: string[], options: ImportOptions): Promise<ImportReport> {
    const report = emptyReport();
    const { inputs, problems } = await expandFlowInputs(paths, this.store, this.config.ingestion.maxFlowBytes);
    for (const p of problems) {
      report.flows.rejected++;
      report.errors.push({ file: p.fileName, invoice: null, code: p.code, message: p.message });
    }
    const recipients = await this.loadRecipients();
    // Pipelined: flow N+1 is read (Node's CPU: XML, base64, unzip, files) while flow N is stored (mostly waits on
    // PostgreSQL). Storing stays strictly sequential and in order, so duplicates across flows, crash-resume and the
    // "already imported" check behave as if the flows were imported one after the other.
    let next = inputs.length > 0 ? this.flows.prepare(inputs[0]) : undefined;
    try {
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        const prepared = await next!;
        next = i + 1 < inputs.length ? this.flows.prepare(inputs[i + 1]) : undefined;
        try {
          mergeReports(report, await this.flows.storePrepared(prepared, options.source, recipients, this.config.invoices.paymentDelayDays));
        } finally {
          if (input.temporary) await fs.rm(input.path, { force: true });
        }
        options.onFlowDone?.(input.fileName, i + 1, inputs.length);
      }
    } catch (err) {
      // Storing failed (database or disk down): the flow read ahead is not stored, drop its pending files.
      await next?.then((p) => p.discardFiles(), () => undefined);
      throw err;
    }
    return report;
  }

  /** Number of flow files the paths hold (for progress bars). */
  async countFlows(paths: string[]): Promise<number> {
    let n = 0;
    const walk = async (p: string): Promise<void> => {
      const st = await fs.stat(p).catch(() => null);
      if (!st) return;
      if (st.isDirectory()) for (const name of await fs.readdir(p)) await walk(`${p}/${name}`);
      else n++;
    };
    for (const p of paths) await walk(p);
    return n;
  }

  private async loadRecipients(): Promise<Map<string, RecipientSettings>> {
    const map = new Map<string, RecipientSettings>();
    for (const s of await this.structures.findAll()) {
      map.set(s.siret, {
        id: s.id,
        siret: s.siret,
        serviceRequired: s.serviceRequired,
        engagementRequired: s.engagementRequired,
        paymentDelayDays: s.paymentDelayDays,
        services: new Map((s.services ?? []).map((x) => [x.code, { label: x.label, active: x.active }])),
      });
    }
    return map;
  }
}
