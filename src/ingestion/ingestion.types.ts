import { FlowSource } from '@/flows/flow.entity';

export interface ImportError {
  file: string;
  invoice: string | null;
  code: string;
  message: string;
}

/** The `passerelle import --json` report (issue: Ingest Chorus Pro pivot flows). */
export interface ImportReport {
  /** `alreadyRejected`: a file rejected before, sent again (its reason is repeated in `errors`, FLOW_ALREADY_REJECTED). */
  flows: { integrated: number; partial: number; rejected: number; alreadyImported: number; alreadyRejected: number };
  invoices: { created: number; updated: number; duplicates: number; withAnomalies: number };
  errors: ImportError[];
}

export interface ImportOptions {
  source: FlowSource;
  /**
   * SIRETs of the structures the flows are attributed to whatever they hold (flow_structures): the structure a pull
   * fetched them for, the uploader's structure. Flows are also attributed to the recipients of their invoices.
   */
  attributeTo?: string[];
  /** Called after each flow (progress bars). */
  onFlowDone?: (fileName: string, done: number, total: number) => void;
  /**
   * The status Chorus Pro gave an invoice before it was downloaded (the pull's search), by IdCPRO: written with the new
   * invoice when the workflow says that is all it means (InvoiceWorkflowPort.firstChorusProStatus).
   */
  chorusProStatus?: (cproId: string) => ChorusProStatusSeen | undefined;
  /**
   * What storing waits for (importFeed): the pull's structure settings, read from Chorus Pro while the first flows are
   * already downloaded and read. Rejected: nothing is stored, the flows read are discarded, the import fails with it.
   */
  beforeStoring?: Promise<unknown>;
}

/** A status read in Chorus Pro for an invoice, with what the history keeps of it. */
export interface ChorusProStatusSeen {
  cppStatus: string;
  context: { actor: string; details?: Record<string, unknown> };
}

export function emptyReport(): ImportReport {
  return {
    flows: { integrated: 0, partial: 0, rejected: 0, alreadyImported: 0, alreadyRejected: 0 },
    invoices: { created: 0, updated: 0, duplicates: 0, withAnomalies: 0 },
    errors: [],
  };
}

export function mergeReports(into: ImportReport, from: ImportReport): ImportReport {
  for (const k of Object.keys(into.flows) as Array<keyof ImportReport['flows']>) into.flows[k] += from.flows[k];
  for (const k of Object.keys(into.invoices) as Array<keyof ImportReport['invoices']>) into.invoices[k] += from.invoices[k];
  into.errors.push(...from.errors);
  return into;
}
