import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { StructuresService } from '@/structures/structures.service';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseService(spec: string, active: boolean): { code: string; label: string; active: boolean } {
  const eq = spec.indexOf('=');
  const code = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  const label = (eq < 0 ? spec : spec.slice(eq + 1)).trim();
  return { code, label: label || code, active };
}

export function registerStructuresCommands(program: Command, ctx: CliContext): void {
  const structures = program.command('structures').description('Structures destinataires (un SIRET par budget)');

  structures
    .command('add')
    .description('Déclare (ou met à jour) une structure et ses services')
    .requiredOption('--siret <siret>', 'SIRET de la structure (14 chiffres)')
    .requiredOption('--name <name>', 'Raison sociale')
    .option('--service <CODE=Libellé>', 'service actif (répétable)', collect, [])
    .option('--inactive-service <CODE=Libellé>', 'service inactif (répétable)', collect, [])
    .option('--service-required', 'code service obligatoire', false)
    .option('--engagement-required', "numéro d'engagement obligatoire", false)
    .option('--payment-delay-days <n>', 'délai global de paiement (30 ; 50 pour un établissement de santé)')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const service = await ctx.get(StructuresService);
      const view = await service.upsert({
        siret: opts.siret,
        name: opts.name,
        services: [
          ...opts.service.map((s: string) => parseService(s, true)),
          ...opts.inactiveService.map((s: string) => parseService(s, false)),
        ],
        serviceRequired: opts.serviceRequired,
        engagementRequired: opts.engagementRequired,
        paymentDelayDays: opts.paymentDelayDays ? Number(opts.paymentDelayDays) : undefined,
      });
      if (opts.json) ctx.printJson(view);
      else ctx.print(`Structure ${view.siret} « ${view.name} » enregistrée (${view.services.length} service(s)).`);
    });

  structures
    .command('set-account')
    .description('Enregistre le compte technique Chorus Pro de la structure (mot de passe chiffré, jamais affiché)')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--login <login>', 'login du compte technique')
    .requiredOption('--password <password>', 'mot de passe du compte technique')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(StructuresService)).setTechnicalAccount(opts.siret, opts.login, opts.password);
      if (opts.json) ctx.printJson(view);
      else ctx.print(`Compte technique « ${view.technicalAccountLogin} » enregistré pour ${view.siret} « ${view.name} ».`);
    });

  structures
    .command('set-return-mode')
    .description('Mode de retour des statuts vers Chorus Pro : api, file (flux CPPStatut), off ; auto = api si compte technique, sinon file')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--mode <mode>', 'api | file | off | auto')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(StructuresService)).setReturnMode(opts.siret, opts.mode);
      if (opts.json) ctx.printJson(view);
      else ctx.print(`Retour des statuts de ${view.siret} « ${view.name} » : mode ${view.returnMode}${view.returnModeExplicit ? '' : ' (automatique)'}.`);
    });

  structures
    .command('list')
    .description('Liste les structures déclarées')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(StructuresService)).list();
      if (opts.json) return ctx.printJson(list);
      for (const s of list) {
        const services = s.services.map((x) => `${x.code}${x.active ? '' : ' (inactif)'}`).join(', ');
        ctx.print(`${s.siret}  ${s.name}${services ? `  [${services}]` : ''}`);
      }
    });
}
