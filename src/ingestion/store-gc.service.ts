import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { formatBytes, formatCount as n } from '@/common/money/french-format';
import { AppConfig } from '@/config/app.config';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { FileStore, StoreGcReport } from '@/storage/file-store.port';
import { removeIfOlder } from '@/storage/local-file.io';

/**
 * Frees what killed or repeated imports left in the store: temp files (store/tmp, and DATA_DIR/tmp where the pull
 * downloads) and the packs no attachment points into (a flow read again before storing, an import killed between its
 * files and its transaction). Run at start-up and by `passerelle store gc`.
 *
 * Only what was last modified before `graceMinutes` ago is removed: an import in flight in another process (several
 * processes share one store with PostgreSQL) publishes its files before committing the rows that reference them.
 * With the embedded database no other process can run (its lock), so the default grace is 0 there.
 */
@Injectable()
export class StoreGcService {
  private readonly logger = new Logger('Stockage');

  constructor(
    private readonly store: FileStore,
    private readonly repository: IngestionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Minutes of grace by default: 0 on the embedded database (one process at a time), 60 with PostgreSQL. */
  get defaultGraceMinutes(): number {
    return this.config.databaseUrl ? 60 : 0;
  }

  async collect(graceMinutes = this.defaultGraceMinutes): Promise<StoreGcReport> {
    const olderThan = new Date(this.clock.now().getTime() - graceMinutes * 60_000);
    // Read BEFORE listing the files: a pack published after this point is younger than `olderThan` only when grace is 0
    // and then it is this process's own, made after the run started (kept: newer than olderThan).
    const referenced = await this.repository.referencedPacks();
    const report = await this.store.collect({ isReferenced: (pack) => referenced.has(pack), olderThan });
    const downloads = join(this.config.dataDir, 'tmp');
    for (const sub of await fs.readdir(downloads).catch(() => [] as string[])) {
      for (const name of await fs.readdir(join(downloads, sub)).catch(() => [] as string[])) {
        const freed = await removeIfOlder(join(downloads, sub, name), olderThan.getTime());
        if (freed !== null) {
          report.tempFiles++;
          report.bytes += freed;
        }
      }
    }
    if (report.tempFiles + report.packs > 0) this.logger.log(storeGcLines(report)[0]);
    return report;
  }
}

export function storeGcLines(r: StoreGcReport): string[] {
  if (r.tempFiles + r.packs === 0) return ['Stockage : rien à libérer.'];
  return [`Stockage : ${n(r.tempFiles)} fichier(s) temporaire(s) et ${n(r.packs)} paquet(s) de pièces jointes inutilisé(s) supprimé(s), ${formatBytes(r.bytes)} libéré(s).`];
}
