import { INestApplicationContext, Type } from '@nestjs/common';
import { Command } from 'commander';
import { AppConfig, loadConfig } from '@/config/app.config';

/** Opens the application (database migrated) the first time a command needs a service. */
export type AppOpener = (config: AppConfig) => Promise<INestApplicationContext>;

/** A feature's commands: `register<Feature>Commands(program, ctx)`, listed once in `src/cli/cli.program.ts`. */
export type CliRegistrar = (program: Command, ctx: CliContext) => void;

/** Every command that offers `--json`. */
export interface JsonOption {
  json?: boolean;
}

/**
 * What every command gets: the configuration, a lazily started application context, and the output rule of
 * the house — with --json, the command's result is the LAST line of stdout (exact values: decimal strings,
 * ISO dates); without it, lines for a person (French amounts and dates); logs go to stderr.
 */
export class CliContext {
  private app: INestApplicationContext | null = null;
  private cachedConfig: AppConfig | null = null;

  /** `ownsApp: false` when the application belongs to the caller (in-process tests): `close()` leaves it open. */
  constructor(
    private readonly openApp: AppOpener,
    private readonly options: { ownsApp?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) {}

  get config(): AppConfig {
    const env = this.options.env ?? process.env;
    // Commands talk to people or scripts: only warnings and errors reach stderr unless LOG_LEVEL says otherwise.
    this.cachedConfig ??= loadConfig(env, env.LOG_LEVEL ? {} : { logLevel: 'warn' });
    return this.cachedConfig;
  }

  async get<T>(type: Type<T> | (abstract new (...args: never[]) => T)): Promise<T> {
    this.app ??= await this.openApp(this.config);
    return this.app.get(type as Type<T>);
  }

  async close(): Promise<void> {
    if (this.app && this.options.ownsApp !== false) await this.app.close();
    this.app = null;
  }

  /** Is a person watching (progress bars) or a script (plain output)? */
  get interactive(): boolean {
    return Boolean(process.stderr.isTTY);
  }

  /**
   * The one way a command prints its result: `value` as JSON on one line with --json, else the lines
   * `toLines` makes for a person. `toLines` may ignore `value` (when the JSON is a subset of what is shown).
   */
  output<T>(opts: JsonOption, value: T, toLines: (value: T) => Iterable<string> | string): void {
    if (opts.json) return this.printJson(value);
    const lines = toLines(value);
    for (const line of typeof lines === 'string' ? [lines] : lines) this.print(line);
  }

  printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }

  print(line: string): void {
    process.stdout.write(line + '\n');
  }

  /** A note for the person (not the result): stderr, so that stdout stays the result. */
  note(line: string): void {
    process.stderr.write(line + '\n');
  }
}
