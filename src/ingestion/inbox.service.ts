import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { Clock } from '@/clock/clock.port';
import { describeError } from '@/common/errors/error-description';
import { AppConfig } from '@/config/app.config';
import { IngestionService } from '@/ingestion/ingestion.service';
import { emptyReport, ImportReport, mergeReports } from '@/ingestion/ingestion.types';

/**
 * « Mode portail »: pivot files dropped in DATA_DIR/inbox (by the staff or a transfer agent) are imported
 * through the same code as the CLI, then moved to inbox/archive/ or, when rejected, inbox/rejected/ —
 * never deleted. Files still being written (modified in the last seconds) wait for the next scan.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);
  private readonly running = new Mutex();

  constructor(
    private readonly ingestion: IngestionService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get inboxDir(): string {
    return this.config.inboxDir;
  }

  async scan(settleMs = 2_000): Promise<ImportReport> {
    if (this.running.isLocked()) return emptyReport();
    return this.running.runExclusive(async () => {
      const report = emptyReport();
      await fs.mkdir(this.inboxDir, { recursive: true });
      const names = (await fs.readdir(this.inboxDir, { withFileTypes: true }))
        .filter((d) => d.isFile() && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
      for (const name of names) {
        const path = join(this.inboxDir, name);
        const stat = await fs.stat(path).catch(() => null);
        if (!stat || this.clock.now().getTime() - stat.mtimeMs < settleMs) continue;
        let one: ImportReport;
        try {
          one = await this.ingestion.importPaths([path], { source: 'inbox' });
        } catch (err) {
          // Not the file's fault (database or disk down): it stays in the inbox for the next scan; the other files go on.
          const described = describeError(err);
          this.logger.error(`Flux ${name} non importé, réessayé au prochain passage : ${described.technical ?? described.message}`);
          report.errors.push({ file: name, invoice: null, code: described.code, message: described.message });
          continue;
        }
        mergeReports(report, one);
        // A file rejected now or before (sent again) goes to rejected/ with its reason; anything imported to archive/.
        const rejected = one.flows.rejected + one.flows.alreadyRejected > 0 && one.flows.integrated + one.flows.partial + one.flows.alreadyImported === 0;
        const target = join(this.inboxDir, rejected ? 'rejected' : 'archive');
        await fs.mkdir(target, { recursive: true });
        await fs.rename(path, join(target, await uniqueName(target, name)));
        if (rejected) {
          const reasons = one.errors.map((e) => `${e.code} : ${e.message}`).join('\n');
          await fs.writeFile(join(target, `${name}.motif.txt`), reasons + '\n', 'utf8');
          this.logger.warn(`Flux rejeté ${name} : ${reasons}`);
        }
      }
      return report;
    });
  }
}

async function uniqueName(dir: string, name: string): Promise<string> {
  let candidate = name;
  for (let i = 1; ; i++) {
    try {
      await fs.access(join(dir, candidate));
      candidate = `${name}.${i}`;
    } catch {
      return candidate;
    }
  }
}
