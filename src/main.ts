import { createHttpApp } from '@/app.bootstrap';
import { ConfigError, loadConfig } from '@/config/app.config';
import { seedDemo } from '@/demo/demo.seed';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp({ config, scheduler: true });
  if (process.argv.includes('--demo')) await seedDemo(app, config);
  await app.listen(config.port, config.host);
  process.stdout.write(
    JSON.stringify({ level: 30, msg: `Passerelle à l'écoute sur http://${config.host}:${config.port} (API : /api/docs)` }) + '\n',
  );
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`Passerelle n'a pas pu démarrer : ${message}\n`);
  process.exit(1);
});
