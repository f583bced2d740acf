import { Command, InvalidArgumentError } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { nonNegativeInt } from '@/common/cli/cli.options';
import { formatCount } from '@/common/money/french-format';
import { SIMULATOR_SCENARIOS } from '@/chorus-pro/simulator/simulator.scenarios';
import { startSimulator } from '@/chorus-pro/simulator/simulator.server';

function ratio(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('taux entre 0 et 1 attendu (ex. 0.05)');
  return n;
}

function scenario(value: string): string {
  if (!SIMULATOR_SCENARIOS[value]) throw new InvalidArgumentError(`scénario inconnu (connus : ${Object.keys(SIMULATOR_SCENARIOS).join(', ')})`);
  return value;
}

function outage(value: string): { startS: number; durationS: number } {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw new InvalidArgumentError('format attendu DEBUT_S:DUREE_S (ex. 30:10)');
  return { startS: Number(m[1]), durationS: Number(m[2]) };
}

export function registerChorusProCommands(program: Command, ctx: CliContext): void {
  program
    .command('simulator')
    .description("Démarre un faux Chorus Pro (PISTE) sur la boucle locale ; 1re ligne de stdout : l'objet JSON de connexion")
    .option('--port <n>', 'port (0 : libre)', nonNegativeInt, 8787)
    .option('--structures <n>', 'nombre de structures', nonNegativeInt, 2)
    .option('--invoices <n>', 'nombre de factures reçues', nonNegativeInt, 20)
    .option('--rate <n>', 'appels par seconde acceptés (429 au-delà)', nonNegativeInt, 20)
    .option('--fail-rate <r>', 'part des appels en erreur 5xx aléatoire', ratio, 0)
    .option('--latency-ms <n>', 'latence ajoutée à chaque réponse', nonNegativeInt, 0)
    .option('--outage <START_S:DURATION_S>', 'fenêtre de panne (503)', outage)
    .option('--token-ttl-s <n>', 'durée de vie réelle des jetons (expiration anticipée)', nonNegativeInt)
    .option('--seed <n>', 'graine des factures générées', nonNegativeInt)
    .option('--pivot-per-group', 'un seul flux pivot par téléchargement groupé (au lieu d’un par facture)', false)
    .option('--scenario <name>', `jeu préparé d'avance (${Object.keys(SIMULATOR_SCENARIOS).join(', ')}) : remplace --structures et --invoices`, scenario)
    .option('--prepare-groups <n>', 'taille des téléchargements groupés préparés d’avance (200 avec --scenario)', nonNegativeInt)
    .action(async (opts) => {
      const sim = await startSimulator({
        port: opts.port,
        structures: opts.structures,
        invoices: opts.invoices,
        rate: opts.rate,
        failRate: opts.failRate,
        latencyMs: opts.latencyMs,
        outage: opts.outage,
        tokenTtlS: opts.tokenTtlS,
        seed: opts.seed,
        pivotPerGroup: opts.pivotPerGroup,
        scenario: opts.scenario,
        prepareGroups: opts.prepareGroups,
      });
      // Always JSON, first line: the connection object scripts and tests read (a server, not a result).
      ctx.printJson(sim.describe());
      ctx.note(`Simulateur Chorus Pro à l'écoute sur ${sim.apiUrl} (${formatCount(sim.state.invoices.size)} factures) — Ctrl+C pour arrêter`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sim.close();
    });
}
