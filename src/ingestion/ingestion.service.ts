import { Injectable } from '@nestjs/common';
import { emptyReport, ImportOptions, ImportReport } from '@/ingestion/ingestion.types';

@Injectable()
export class IngestionService {
  /** Imports files, directories or ZIPs of CPPFacturePivot flows (same code for CLI, inbox and API pull). */
  async importPaths(_paths: string[], _options: ImportOptions): Promise<ImportReport> {
    return emptyReport();
  }
}
