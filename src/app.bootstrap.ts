import { INestApplication, INestApplicationContext, Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from '@/app.module';
import { AppConfig } from '@/config/app.config';
import { databaseTarget, DatabaseTarget, openDataSource } from '@/database/data-source.factory';
import { acquirePgliteLock } from '@/database/pglite.lock';
import { DomainErrorFilter } from '@/common/http/domain-error.filter';
import { createValidationPipe } from '@/common/http/validation.pipe';
import { serverTiming } from '@/common/http/server-timing';

export interface BootOptions {
  config: AppConfig;
  scheduler?: boolean;
  logDestination?: 1 | 2;
  overrides?: Provider[];
  /** Tests pass an explicit database (throwaway PostgreSQL database or in-memory PGlite). */
  database?: DatabaseTarget;
}

interface Opened {
  dataSource: DataSource;
  release: () => Promise<void>;
}

async function openDatabase(options: BootOptions): Promise<Opened> {
  const target = options.database ?? databaseTarget(options.config);
  let release = async () => {};
  if (target.kind === 'pglite' && !target.location.startsWith('memory://')) {
    release = await acquirePgliteLock(target.location);
  }
  try {
    const dataSource = await openDataSource(target);
    return { dataSource, release };
  } catch (err) {
    await release();
    throw err;
  }
}

function moduleFor(options: BootOptions, dataSource: DataSource) {
  return AppModule.forRoot({
    config: options.config,
    dataSource,
    scheduler: options.scheduler ?? false,
    logDestination: options.logDestination ?? 1,
    overrides: options.overrides,
  });
}

/** A Nest application context without HTTP (CLI commands, scripts). */
export async function createAppContext(options: BootOptions): Promise<INestApplicationContext> {
  const { dataSource, release } = await openDatabase(options);
  const ctx = await NestFactory.createApplicationContext(moduleFor({ ...options, logDestination: options.logDestination ?? 2 }, dataSource), {
    bufferLogs: true,
    abortOnError: false,
  });
  ctx.useLogger(ctx.get(Logger));
  ctx.enableShutdownHooks();
  const close = ctx.close.bind(ctx);
  ctx.close = async () => {
    await close();
    await release();
  };
  return ctx;
}

/** The HTTP application: REST API, OpenAPI at /api/docs, health, metrics. */
export async function createHttpApp(options: BootOptions): Promise<INestApplication> {
  const { dataSource, release } = await openDatabase(options);
  // Nest's body parsers are replaced by applyHttpSecurity's (JSON only, size limit, French errors).
  const app = await NestFactory.create(moduleFor(options, dataSource), { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.use(serverTiming);
  // HTTP-only parts (express's parsers, helmet, cookies) loaded here: the CLI and scripts never load them.
  const [{ applyHttpSecurity }, { default: cookieParser }] = await Promise.all([import('@/common/http/http-security'), import('cookie-parser')]);
  applyHttpSecurity(app, options.config);
  app.use(cookieParser());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainErrorFilter());
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('Passerelle')
    .setDescription('Chorus Pro (flux pivot, retour des statuts) et Hélios (PES ASAP) pour les collectivités')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'api/docs-json' });
  const close = app.close.bind(app);
  app.close = async () => {
    await close();
    await release();
  };
  return app;
}
