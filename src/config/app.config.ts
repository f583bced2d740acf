import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { AppConfigShape, configSchema } from '@/config/config.schema';

/** Typed configuration: the only place that reads environment variables (ARCHITECTURE.md, config/). */
export class AppConfig {
  constructor(private readonly values: AppConfigShape) {}

  get host(): string {
    return this.values.host;
  }
  get port(): number {
    return this.values.port;
  }
  get dataDir(): string {
    return this.values.dataDir;
  }
  get databaseUrl(): string | undefined {
    return this.values.databaseUrl;
  }
  get inboxDir(): string {
    return this.values.inboxDir ?? join(this.values.dataDir, 'inbox');
  }
  get storeDir(): string {
    return join(this.values.dataDir, 'store');
  }
  get pgliteDir(): string {
    return join(this.values.dataDir, 'pglite');
  }
  get logLevel(): AppConfigShape['logLevel'] {
    return this.values.logLevel;
  }
  get timezone(): string {
    return this.values.timezone;
  }
  get sessionCookieSecure(): boolean {
    return this.values.sessionCookieSecure;
  }
  /** Origin of the pages (PUBLIC_URL), undefined when not set. */
  get publicOrigin(): string | undefined {
    return this.values.publicUrl;
  }
  get maxJsonBytes(): number {
    return this.values.maxJsonBytes;
  }
  get ingestion(): AppConfigShape['ingestion'] {
    return this.values.ingestion;
  }
  /** Key of the at-rest encryption of secrets (technical accounts); undefined when not configured. */
  get secretKey(): string | undefined {
    return this.values.secretKey;
  }
  get chorusPro(): AppConfigShape['chorusPro'] {
    return this.values.chorusPro;
  }
  get statusReturn(): AppConfigShape['statusReturn'] {
    return this.values.statusReturn;
  }
  get invoices(): AppConfigShape['invoices'] {
    return this.values.invoices;
  }

  /** What may be shown (logs, `config show`): secrets are masked. */
  describe(): Record<string, unknown> {
    return {
      ...this.values,
      secretKey: this.values.secretKey ? '***' : undefined,
      databaseUrl: this.values.databaseUrl?.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
      chorusPro: { ...this.values.chorusPro, clientSecret: this.values.chorusPro.clientSecret ? '***' : undefined },
    };
  }
}

export class ConfigError extends Error {}

// Environment variable → path in the configuration object.
const ENV_MAP: Record<string, string> = {
  PORT: 'port',
  HOST: 'host',
  DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  INBOX_DIR: 'inboxDir',
  LOG_LEVEL: 'logLevel',
  TZ_COLLECTIVITE: 'timezone',
  SESSION_COOKIE_SECURE: 'sessionCookieSecure',
  PUBLIC_URL: 'publicUrl',
  MAX_JSON_BYTES: 'maxJsonBytes',
  INBOX_CRON: 'ingestion.inboxCron',
  MAX_FLOW_BYTES: 'ingestion.maxFlowBytes',
  MAX_ATTACHMENT_BYTES: 'ingestion.maxAttachmentBytes',
  INGESTION_BATCH_SIZE: 'ingestion.batchSize',
  INGESTION_READER_THREAD: 'ingestion.readerThread',
  CHORUS_PRO_API_URL: 'chorusPro.apiUrl',
  CHORUS_PRO_TOKEN_URL: 'chorusPro.tokenUrl',
  PISTE_CLIENT_ID: 'chorusPro.clientId',
  PISTE_CLIENT_SECRET: 'chorusPro.clientSecret',
  PASSERELLE_SECRET_KEY: 'secretKey',
  CHORUS_PRO_MAX_RETRIES: 'chorusPro.maxRetries',
  PULL_CRON: 'chorusPro.pullCron',
  PULL_STRUCTURE_CONCURRENCY: 'chorusPro.structureConcurrency',
  CHORUS_PRO_CALLS_PER_SECOND: 'chorusPro.callsPerSecond',
  CHORUS_PRO_CALLS_PER_DAY: 'chorusPro.callsPerDay',
  CHORUS_PRO_TIMEOUT_MS: 'chorusPro.timeoutMs',
  STATUS_PUSH_CRON: 'statusReturn.pushCron',
  STATUS_FLOWS_DIR: 'statusReturn.outDir',
  CPP_STATUT_XSD: 'statusReturn.statutXsdPath',
  PAYMENT_DELAY_DAYS: 'invoices.paymentDelayDays',
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = { ...((node[part] as Record<string, unknown>) ?? {}) };
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object'
        ? deepMerge(base[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** The repository's config/ folder, found from the compiled or source location. */
export function configDir(): string {
  return resolve(__dirname, '..', '..', 'config');
}

/**
 * Defaults from config/default.json, then an optional JSON file (PASSERELLE_CONFIG), then the environment,
 * then `overrides` (tests). Relative directories are resolved against the working directory.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, unknown> = {},
): AppConfig {
  let raw = JSON.parse(readFileSync(join(configDir(), 'default.json'), 'utf8')) as Record<string, unknown>;
  const extraFile = env.PASSERELLE_CONFIG;
  if (extraFile) {
    if (!existsSync(extraFile)) throw new ConfigError(`Fichier de configuration introuvable : ${extraFile}`);
    raw = deepMerge(raw, JSON.parse(readFileSync(extraFile, 'utf8')) as Record<string, unknown>);
  }
  for (const [name, path] of Object.entries(ENV_MAP)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  raw = deepMerge(raw, overrides);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join('; ');
    throw new ConfigError(`Configuration invalide — ${problems}`);
  }
  const values = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(process.cwd(), p));
  values.dataDir = abs(values.dataDir);
  if (values.inboxDir) values.inboxDir = abs(values.inboxDir);
  return new AppConfig(values);
}
