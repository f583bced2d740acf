/** One problem met by a pull: a structure that failed, an invoice that could not be downloaded or imported. */
export interface PullError {
  siret: string;
  code: string;
  message: string;
  invoice?: string | null;
  file?: string;
}

/** `passerelle pull --json` (last stdout line). */
export interface PullReport {
  /** Structures this process pulled in this run (success or failure). */
  structures: number;
  /** Structures left to another process (already claimed for this run, or being pulled right now). */
  skipped: number;
  /**
   * Each structure this process did not pull, with the reason: pulled by another instance for this run (`elsewhere`,
   * with that pull's outcome), or busy with another pull whose lease is still valid (`busy`). Any skip other than
   * « pulled elsewhere, ok » makes `passerelle pull` exit non-zero.
   */
  skippedStructures: Array<{ siret: string; reason: 'elsewhere' | 'busy'; outcome?: string | null; message: string }>;
  apiCalls: number;
  invoices: { created: number; updated: number; duplicates: number; withAnomalies: number };
  errors: PullError[];
  /** Works invoices not created: still SUSPENDUE or A_RECYCLER on Chorus Pro's works side (issue 15). */
  worksHeld?: number;
  /** Milliseconds spent importing downloaded groups and recording statuses (benchmark). */
  timings?: { importMs: number; statusMs: number };
}

export interface PullOptions {
  /** Only this structure. */
  siret?: string;
  /** Start of the window instead of the last successful window end minus the overlap. */
  since?: Date;
  /**
   * Identifies the run across instances: each structure is pulled once per key. The cron uses the scheduled
   * time; a manual pull a fresh key.
   */
  runKey?: string;
  onProgress?: (event: PullProgress) => void;
}

export interface PullProgress {
  siret: string;
  /** `download`: a group arrived; `store`: one more flow stored (`done` counts them). */
  phase: 'search' | 'download' | 'store' | 'status' | 'done';
  /** Invoices handled so far for this structure, out of `total` found by the search. */
  done: number;
  total: number;
}

export function emptyPullReport(): PullReport {
  return { structures: 0, skipped: 0, skippedStructures: [], apiCalls: 0, invoices: { created: 0, updated: 0, duplicates: 0, withAnomalies: 0 }, errors: [] };
}

/** The last outcome of one structure's pull (pull_outcomes). */
export interface PullOutcome {
  siret: string;
  name: string;
  outcome: 'ok' | 'failed' | 'skipped';
  /** The French error of a failure, the reason of a skip. */
  message: string | null;
  at: Date;
  runKey: string;
  apiCalls: number;
}
