import { z } from 'zod';

// Every setting the service reads, validated at boot: a wrong value stops the start with a French message
// instead of failing at 2 a.m. in the nightly job.
const cron = z.string().min(9, 'expression cron attendue (ex. « 0 2 * * * »)');
// On/off settings come as JSON booleans from config files and as strings from the environment (`z.coerce.boolean`
// would read "false" as true).
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
], { error: 'true ou false attendu' });

// The public origin of the pages: scheme, host and port only (what browsers send as `Origin`).
const publicOrigin = z.string().transform((value, ctx) => {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    /* reported below */
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    ctx.addIssue({ code: 'custom', message: 'adresse des pages attendue, sans chemin ni paramètre (ex. « https://passerelle.mairie.fr »)' });
    return z.NEVER;
  }
  return url.origin;
});

export const configSchema = z.object({
  /** Key encrypting secrets at rest (Chorus Pro technical account passwords), env PASSERELLE_SECRET_KEY. */
  secretKey: z.string().min(16, 'PASSERELLE_SECRET_KEY : 16 caractères au moins').optional(),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  /** PostgreSQL URL; when absent the embedded PGlite database under dataDir/pglite is used. */
  databaseUrl: z.string().url().optional(),
  inboxDir: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  timezone: z.string().min(1),
  /** `Secure` on the session cookie: on when the pages are served over HTTPS (a TLS reverse proxy in front). */
  sessionCookieSecure: flag,
  /**
   * Address people open the pages at, e.g. behind the collectivité's TLS reverse proxy: a cookie-authenticated change
   * whose `Origin` is another one is refused (CSRF). Unset: the origin the request was addressed to (its Host).
   */
  publicUrl: publicOrigin.optional(),
  /** Largest JSON body accepted (a titre's PDF, a PES_ACQUIT, both in base64): beyond, 413. */
  maxJsonBytes: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  ingestion: z.object({
    inboxCron: cron,
    maxFlowBytes: z.coerce.number().int().positive(),
    maxAttachmentBytes: z.coerce.number().int().positive(),
    batchSize: z.coerce.number().int().positive(),
    readerThread: flag,
  }),
  chorusPro: z.object({
    apiUrl: z.string(),
    tokenUrl: z.string(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    pullCron: cron,
    pullOverlapMinutes: z.coerce.number().int().min(0),
    callsPerSecond: z.coerce.number().positive(),
    callsPerDay: z.coerce.number().int().positive(),
    timeoutMs: z.coerce.number().int().positive(),
    maxRetries: z.coerce.number().int().min(0),
    /** First retry delay (exponential backoff with jitter, capped by retryMaxMs); Retry-After wins when given. */
    retryBaseMs: z.coerce.number().int().positive().default(500),
    retryMaxMs: z.coerce.number().int().positive().default(30000),
    /** Search page size (rechercher/recipiendaire). */
    pageSize: z.coerce.number().int().positive().max(1000).default(500),
    /** Budget of one telecharger/groupe, in `taille` bytes: the answer (base64 ZIP) must stay under Chorus Pro's 120 MB. */
    groupMaxBytes: z.coerce.number().int().positive().default(80 * 1024 * 1024),
    groupMaxInvoices: z.coerce.number().int().positive().default(200),
    /**
     * Downloads started ahead of the import, per structure: one second of the quota (20), so that with Chorus Pro's
     * latency the calls overlap (the shared quota still spaces them: calls in flight ≈ rate × latency).
     */
    downloadConcurrency: z.coerce.number().int().positive().default(20),
    /** Structures pulled at once by one process: their searches and downloads overlap, the quota is shared. */
    structureConcurrency: z.coerce.number().int().positive().default(4),
    /** First pull of a structure: how far back to look. */
    initialLookbackDays: z.coerce.number().int().positive().default(30),
  }),
  statusReturn: z.object({
    pushCron: cron,
    /** Outbox rows claimed per round of the API sender, and calls in flight (distinct invoices). */
    batchSize: z.coerce.number().int().positive().default(200),
    concurrency: z.coerce.number().int().positive().max(64).default(4),
    /** How long a row stays claimed by a sender whose answer is awaited (crash: taken again after it). */
    leaseSeconds: z.coerce.number().int().positive().default(300),
    /** Backoff of a row after a transient failure: base × 2^(attempts−1), capped, with jitter. */
    retryBaseSeconds: z.coerce.number().positive().default(30),
    retryMaxSeconds: z.coerce.number().positive().default(900),
    /** Consecutive transient failures that end a run (an outage): the rest waits for the next run. */
    breakerFailures: z.coerce.number().int().positive().default(10),
    /** Where the service writes CPPStatut files generated from the REST API. Default DATA_DIR/status-flows. */
    outDir: z.string().min(1).optional(),
    /** Emetteur / Recepteur of generated flows (3 to 8 characters, CPPStatutPivot_V1_19.xsd). */
    flowSenderId: z.string().min(3).max(8).default('PASSRL'),
    flowSenderLabel: z.string().default('Passerelle'),
    flowReceiverId: z.string().min(3).max(8).default('CPP0001'),
    flowReceiverLabel: z.string().default('Chorus Pro'),
    maxStatusesPerFile: z.coerce.number().int().positive().default(50000),
    /** Path of CPPStatutPivot_V1_19.xsd (AIFE): imported flows are also validated against it when set. */
    statutXsdPath: z.string().min(1).optional(),
  }),
  invoices: z.object({
    paymentDelayDays: z.coerce.number().int().positive(),
    healthPaymentDelayDays: z.coerce.number().int().positive(),
  }),
});

export type AppConfigShape = z.infer<typeof configSchema>;
