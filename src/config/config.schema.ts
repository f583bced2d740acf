import { z } from 'zod';

// Every setting the service reads, validated at boot: a wrong value stops the start with a French message
// instead of failing at 2 a.m. in the nightly job.
const cron = z.string().min(9, 'expression cron attendue (ex. « 0 2 * * * »)');

export const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  /** PostgreSQL URL; when absent the embedded PGlite database under dataDir/pglite is used. */
  databaseUrl: z.string().url().optional(),
  inboxDir: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  timezone: z.string().min(1),
  ingestion: z.object({
    inboxCron: cron,
    maxFlowBytes: z.coerce.number().int().positive(),
    maxAttachmentBytes: z.coerce.number().int().positive(),
    batchSize: z.coerce.number().int().positive(),
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
  }),
  statusReturn: z.object({
    pushCron: cron,
  }),
  invoices: z.object({
    paymentDelayDays: z.coerce.number().int().positive(),
    healthPaymentDelayDays: z.coerce.number().int().positive(),
  }),
});

export type AppConfigShape = z.infer<typeof configSchema>;
