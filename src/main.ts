import { createHttpApp } from '@/app.bootstrap';
import { ConfigError, loadConfig } from '@/config/app.config';
import { demoBanner } from '@/demo/demo.banner';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from '@/demo/demo.seed';

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  // The demo talks to a person at a terminal: only warnings and errors are logged unless LOG_LEVEL says otherwise,
  // and the start is a short plain block (demoBanner), not one line among the JSON logs.
  const config = loadConfig(process.env, demo && !process.env.LOG_LEVEL ? { logLevel: 'warn' } : {});
  const app = await createHttpApp({ config, scheduler: true });
  if (demo) await app.init(); // boot hooks first: the demo's actions need the seeded motifs
  const seeded = demo ? await seedDemo(app, config) : null;
  await app.listen(config.port, config.host);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const port = (app.getHttpServer().address() as { port: number } | null)?.port ?? config.port; // PORT=0: the one chosen
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  if (seeded) {
    process.stdout.write(
      demoBanner({ url, password: DEMO_PASSWORD, users: DEMO_USERS, invoices: seeded.invoices, dataDir: config.dataDir }) + '\n',
    );
  } else {
    process.stdout.write(JSON.stringify({ level: 30, msg: `Passerelle à l'écoute sur ${url} (API : ${url}api/docs)` }) + '\n');
  }
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`Passerelle n'a pas pu démarrer : ${message}\n`);
  process.exit(1);
});
