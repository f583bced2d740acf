import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { Clock, SystemClock } from '@/clock/clock.port';
import { AppConfig } from '@/config/app.config';
import { DatabaseModule } from '@/database/database.module';
import { FlowsModule } from '@/flows/flows.module';
import { HealthController } from '@/health/health.controller';
import { IngestionModule } from '@/ingestion/ingestion.module';
import { InvoicesModule } from '@/invoices/invoices.module';
import { LateInterestModule } from '@/late-interest/late-interest.module';
import { MetricsModule } from '@/metrics/metrics.module';
import { SchedulerModule } from '@/scheduler/scheduler.module';
import { FileStore } from '@/storage/file-store.port';
import { LocalFileStore } from '@/storage/local-file.store';
import { StructuresModule } from '@/structures/structures.module';
import { StatusReturnModule } from '@/status-return/status-return.module';
import { PullModule } from '@/pull/pull.module';
import { UsersModule } from '@/users/users.module';
import { CoreModule } from '@/core.module';
import { DirectoryModule } from '@/directory/directory.module';
import { PesModule } from '@/pes/pes.module';
import { DepensePesModule } from '@/pes/depense/depense-pes.module';
import { PaymentsModule } from '@/payments/payments.module';
import { WebModule } from '@/web/web.module';

export interface AppModuleOptions {
  config: AppConfig;
  dataSource: DataSource;
  /** Cron jobs run in the service, not in CLI commands nor in most tests. */
  scheduler: boolean;
  /** Logs to stderr in the CLI, so that stdout carries only the command's output. */
  logDestination: 1 | 2;
  /** Extra providers overriding ports (tests: a fixed clock, a fake store). */
  overrides?: Provider[];
}

/** Feature modules, in the order data walks through them (ARCHITECTURE.md). */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  StructuresModule,
  IngestionModule,
  InvoicesModule,
  LateInterestModule,
  FlowsModule,
  UsersModule, DirectoryModule, PesModule, DepensePesModule, PaymentsModule,
  PullModule,
  StatusReturnModule,
  WebModule,
];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const ports: Provider[] = [
      { provide: AppConfig, useValue: options.config },
      { provide: Clock, useClass: SystemClock },
      { provide: FileStore, useFactory: (config: AppConfig) => new LocalFileStore(config.storeDir), inject: [AppConfig] },
    ];
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.config.logLevel,
            stream: options.logDestination === 2 ? process.stderr : process.stdout,
            // Secrets never reach the logs: tokens, session cookies, Chorus Pro technical accounts.
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["cpro-account"]', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
          },
        }),
        CoreModule.forRoot([...ports, ...(options.overrides ?? [])]),
        DatabaseModule.forDataSource(options.dataSource),
        MetricsModule,
        ...(options.scheduler ? [ScheduleModule.forRoot(), SchedulerModule] : []),
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
    };
  }
}
