import { INestApplicationContext, Type } from '@nestjs/common';
import { createAppContext } from '@/app.bootstrap';
import { AppConfig, loadConfig } from '@/config/app.config';

/**
 * What every command gets: the configuration, a lazily started application context (database migrated),
 * and output helpers. With --json, the command's result is the LAST line of stdout; logs go to stderr.
 */
export class CliContext {
  private app: INestApplicationContext | null = null;
  private cachedConfig: AppConfig | null = null;

  get config(): AppConfig {
    // Commands talk to people or scripts: only warnings and errors reach stderr unless LOG_LEVEL says otherwise.
    this.cachedConfig ??= loadConfig(process.env, process.env.LOG_LEVEL ? {} : { logLevel: 'warn' });
    return this.cachedConfig;
  }

  async get<T>(type: Type<T> | (abstract new (...args: never[]) => T)): Promise<T> {
    this.app ??= await createAppContext({ config: this.config, logDestination: 2 });
    return this.app.get(type as Type<T>);
  }

  async close(): Promise<void> {
    if (this.app) await this.app.close();
    this.app = null;
  }

  /** Is a person watching (progress bars) or a script (plain output)? */
  get interactive(): boolean {
    return Boolean(process.stderr.isTTY);
  }

  printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }

  print(line: string): void {
    process.stdout.write(line + '\n');
  }
}
