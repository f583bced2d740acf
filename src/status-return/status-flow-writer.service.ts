import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { ZipFile } from 'yazl';
import { Clock } from '@/clock/clock.port';
import { DomainError } from '@/common/errors/domain.error';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { FileStore } from '@/storage/file-store.port';
import { CPP_STATUS_LABELS, CPP_TO_ID_STATUT, ID_STATUT_TO_CPP } from '@/status-return/cpp-statut.codes';
import { CppFactureStatutItem, CppStatutEnvelope, envelopeProblems, itemProblems, syncDir, writeCppStatutFile } from '@/status-return/cpp-statut.writer';
import { HistoryRow, OutboxWork, StatusOutboxRepository } from '@/status-return/status-outbox.repository';
import { StatusFlowsRepository } from '@/status-return/status-flows.repository';
import { localDate } from '@/common/time/local-date';

export interface GenerateInput {
  outDir: string;
  /** One status only (Chorus Pro name, e.g. REJETEE, or IdStatut, e.g. 05). */
  status?: string;
  /** One invoice only: its id, or its number. */
  invoice?: string;
  siret?: string;
  /** Several files come as one ZIP. */
  zip?: boolean;
  actor: string;
  scope?: { structureIds: string[] | 'all'; includeUnassigned: boolean };
}

export interface GeneratedFlow {
  id: string;
  fileName: string;
  idFlx: string;
  structureId: string | null;
  statuses: number;
  sha256: string;
}

export interface GenerateResult {
  /** Paths written (the XML files, or the ZIP). */
  files: string[];
  statuses: number;
  flows: GeneratedFlow[];
  /** Rows that cannot be written as a valid CPPStatut (now `failed`, visible to the staff). */
  failed: Array<{ outboxId: number; invoiceId: string; message: string }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * « Génération du fichier de transfert des statuts » (Corail): the pending statuses of structures in mode
 * `file` — all or one status, all or one invoice — as CPPStatut flows, one per structure (each deposits its
 * own on the portal). Rows are marked sent only once every file is completely written and synced, in the
 * transaction that holds them locked.
 */
@Injectable()
export class StatusFlowWriterService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: StatusOutboxRepository,
    private readonly flows: StatusFlowsRepository,
    private readonly store: FileStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  get defaultOutDir(): string {
    return this.config.statusReturn.outDir ?? join(this.config.dataDir, 'status-flows');
  }

  async generate(input: GenerateInput): Promise<GenerateResult> {
    const statusFilter = input.status ? normaliseStatus(input.status) : undefined;
    await mkdir(input.outDir, { recursive: true });
    const written: string[] = [];
    try {
      return await this.uow.run(async (em) => {
        const now = this.clock.now();
        const rows = await this.outbox.lockForFile(em, {
          invoiceId: input.invoice && UUID.test(input.invoice) ? input.invoice : undefined,
          invoiceNumber: input.invoice && !UUID.test(input.invoice) ? input.invoice : undefined,
          siret: input.siret,
          structureIds: input.scope?.structureIds ?? 'all',
          includeUnassigned: input.scope?.includeUnassigned ?? true,
        });
        const { selected, failed } = selectInOrder(rows, statusFilter);
        const history: HistoryRow[] = [];
        for (const f of failed) {
          await this.outbox.markFailed(em, f.row.id, 'NOT_REPRESENTABLE', f.message);
          history.push(errorHistory(f.row, f.message, now, input.actor));
        }
        // In the file, statuses come in the order they were produced (outbox id), which keeps each invoice's order.
        selected.sort((x, y) => x.id - y.id);
        const groups = this.groupByStructure(selected);
        const dtPrd = localDate(now, this.config.timezone);
        const generated: Array<{ flow: GeneratedFlow; path: string; rows: OutboxWork[]; size: number; storageKey: string }> = [];
        const staging = input.zip && groups.length > 0 ? await mkdtemp(join(input.outDir, '.cppstatut-')) : null;
        try {
          for (const group of groups) {
            const idFlx = String(await this.outbox.nextIdFlx(em)).padStart(10, '0');
            const envelope = this.envelope(idFlx, dtPrd);
            const label = group[0].structureSiret ?? group[0].debtorId;
            const fileName = `CPPStatut_${label}_${idFlx}.xml`;
            const path = join(staging ?? input.outDir, fileName);
            const size = await writeCppStatutFile(path, envelope, group.map(toItem));
            if (!staging) written.push(path);
            const stored = await this.store.put(createReadStream(path));
            generated.push({
              flow: { id: '', fileName, idFlx, structureId: group[0].structureId, statuses: group.length, sha256: stored.sha256 },
              path,
              rows: group,
              size,
              storageKey: stored.key,
            });
          }
          if (staging) {
            const zipPath = join(input.outDir, `CPPStatut_${dtPrd.replace(/-/g, '')}_${generated[0].flow.idFlx}.zip`);
            await writeZip(zipPath, generated.map((g) => g.path));
            written.push(zipPath);
          }
        } finally {
          if (staging) await rm(staging, { recursive: true, force: true });
        }
        // Every file is on disk and synced: now, and only now, the rows are sent.
        for (const g of generated) {
          const ids = g.rows.map((r) => r.id);
          g.flow.id = await this.flows.insert(em, {
            direction: 'out',
            fileName: g.flow.fileName,
            idFlx: g.flow.idFlx,
            dtPrd,
            sha256: g.flow.sha256,
            storageKey: g.storageKey,
            size: g.size,
            structureId: g.flow.structureId,
            statusCount: ids.length,
            outboxIds: ids,
            filters: { status: statusFilter ?? null, invoice: input.invoice ?? null, siret: input.siret ?? null, zip: Boolean(input.zip) },
            report: null,
            createdBy: input.actor,
            createdAt: now,
          });
          const marked = await this.outbox.markSentByFile(em, ids, g.flow.id, now);
          if (marked !== ids.length) throw new Error(`${ids.length - marked} statut(s) modifié(s) pendant l'écriture du fichier`);
          for (const r of g.rows) {
            history.push({
              invoiceId: r.invoiceId,
              step: 'STATUS_FILE',
              label: `Statut ${CPP_STATUS_LABELS[r.targetStatus] ?? r.targetStatus} inclus dans le fichier de transfert ${g.flow.fileName}`,
              actor: input.actor,
              at: now,
              details: { outboxId: r.id, targetStatus: r.targetStatus, statusFlowId: g.flow.id, idFlx: g.flow.idFlx },
            });
          }
        }
        await this.outbox.addHistory(em, history);
        return {
          files: written,
          statuses: generated.reduce((n, g) => n + g.rows.length, 0),
          flows: generated.map((g) => g.flow),
          failed: failed.map((f) => ({ outboxId: f.row.id, invoiceId: f.row.invoiceId, message: f.message })),
        };
      });
    } catch (err) {
      // The rows stay pending: a file they were written to must not be deposited.
      for (const path of written) await unlink(path).catch(() => undefined);
      throw err;
    }
  }

  private envelope(idFlx: string, dtPrd: string): CppStatutEnvelope {
    const c = this.config.statusReturn;
    const envelope = { idFlx, dtPrd, senderId: c.flowSenderId, senderLabel: c.flowSenderLabel, receiverId: c.flowReceiverId, receiverLabel: c.flowReceiverLabel };
    const problems = envelopeProblems(envelope);
    if (problems.length) throw new DomainError('STATUS_FLOW_ENVELOPE_INVALID', `Enveloppe CPPStatut invalide : ${problems.join(' ; ')}`);
    return envelope;
  }

  /** One file per structure (rows without structure: per debtor SIRET), cut at maxStatusesPerFile. */
  private groupByStructure(rows: OutboxWork[]): OutboxWork[][] {
    const byKey = new Map<string, OutboxWork[]>();
    for (const r of rows) {
      const key = r.structureId ?? `debtor:${r.debtorId}`;
      const list = byKey.get(key) ?? [];
      list.push(r);
      byKey.set(key, list);
    }
    const max = this.config.statusReturn.maxStatusesPerFile;
    const groups: OutboxWork[][] = [];
    for (const list of byKey.values()) {
      // A cut never separates an invoice's rows: a later file could otherwise be deposited before an earlier one.
      const last = new Map<string, number>();
      list.forEach((r, k) => last.set(r.invoiceId, k));
      let current: OutboxWork[] = [];
      let reach = -1;
      for (let k = 0; k < list.length; k++) {
        if (current.length >= max && reach < k) {
          groups.push(current);
          current = [];
        }
        reach = Math.max(reach, last.get(list[k].invoiceId) as number);
        current.push(list[k]);
      }
      if (current.length) groups.push(current);
    }
    return groups;
  }
}

/**
 * Per invoice, the rows are taken in order while they are pending and match the filter; the first that is
 * not (failed, in flight by API, another status) keeps the later ones waiting. Rows that cannot be written
 * as a valid CPPStatut fail (staff) and keep the later ones waiting too.
 */
export function selectInOrder(rows: OutboxWork[], status?: string): { selected: OutboxWork[]; failed: Array<{ row: OutboxWork; message: string }> } {
  const selected: OutboxWork[] = [];
  const failed: Array<{ row: OutboxWork; message: string }> = [];
  let blocked: string | null = null;
  for (const r of rows) {
    if (blocked === r.invoiceId) continue;
    blocked = null;
    if (r.state !== 'pending' || (status && r.targetStatus !== status)) {
      blocked = r.invoiceId;
      continue;
    }
    const problems = CPP_TO_ID_STATUT[r.targetStatus] ? itemProblems(toItem(r)) : [`statut « ${r.targetStatus} » sans IdStatut CPPStatut`];
    if (problems.length) {
      failed.push({ row: r, message: `Statut non transmissible par fichier CPPStatut : ${problems.join(' ; ')}` });
      blocked = r.invoiceId;
      continue;
    }
    selected.push(r);
  }
  return { selected, failed };
}

export function toItem(r: OutboxWork): CppFactureStatutItem {
  return {
    supplier: { idType: r.supplierIdType, id: r.supplierId, name: r.supplierName, country: r.supplierCountry },
    debtor: { id: r.debtorId, name: r.debtorName ?? r.structureName, serviceCode: r.serviceCode, serviceName: r.serviceName },
    idStatut: CPP_TO_ID_STATUT[r.targetStatus] ?? '',
    complement: CPP_STATUS_LABELS[r.targetStatus] ?? null,
    comment: r.reason,
    timestamp: new Date(r.createdAt).toISOString(),
    idFacture: r.invoiceNumber,
    dateFacture: typeof r.issueDate === 'string' ? r.issueDate.slice(0, 10) : null,
    idMandatDP: r.mandateNumber,
  };
}

export function errorHistory(r: { id: number; invoiceId: string; targetStatus: string }, message: string, at: Date, actor: string, code = 'NOT_REPRESENTABLE'): HistoryRow {
  return {
    invoiceId: r.invoiceId,
    step: 'STATUS_RETURN_ERROR',
    label: 'Retour Chorus Pro en erreur',
    actor,
    at,
    details: { outboxId: r.id, targetStatus: r.targetStatus, code, message },
  };
}

export function normaliseStatus(value: string): string {
  const v = value.trim().toUpperCase();
  const name = ID_STATUT_TO_CPP[v.padStart(2, '0')] ?? v;
  if (!CPP_TO_ID_STATUT[name]) {
    throw new DomainError('UNKNOWN_STATUS', `Statut inconnu : « ${value} » (${Object.keys(CPP_TO_ID_STATUT).join(', ')})`);
  }
  return name;
}

/** The ZIP is written like a flow: temporary file, fsync, rename, directory fsync. */
async function writeZip(target: string, files: string[]): Promise<void> {
  const tmp = `${target}.${process.pid}.part`;
  const zip = new ZipFile();
  for (const f of files) zip.addBuffer(await readFile(f), basename(f));
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(tmp);
    zip.outputStream.on('error', reject).pipe(out).on('error', reject).on('finish', resolve);
  });
  const fh = await open(tmp, 'r+');
  await fh.sync();
  await fh.close();
  await rename(tmp, target);
  await syncDir(join(target, '..'));
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
