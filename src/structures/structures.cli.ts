import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { DomainError } from '@/common/errors/domain.error';
import { collect, commandGroup, nonNegativeInt } from '@/common/cli/cli.options';
import { formatCount } from '@/common/money/french-format';
import { StructuresService } from '@/structures/structures.service';
import { StructureSyncReport, StructureSyncService } from '@/structures/structure-sync.service';

function parseService(spec: string, active: boolean): { code: string; label: string; active: boolean } {
  const eq = spec.indexOf('=');
  const code = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  const label = (eq < 0 ? spec : spec.slice(eq + 1)).trim();
  return { code, label: label || code, active };
}

export function registerStructuresCommands(program: Command, ctx: CliContext): void {
  const structures = commandGroup(program, 'structures');
  addCommand(structures, ctx);
  setAccountCommand(structures, ctx);
  setReturnModeCommand(structures, ctx);
  setHeliosCommand(structures, ctx);
  listCommand(structures, ctx);
  syncCommand(structures, ctx);
}

function addCommand(structures: Command, ctx: CliContext): void {
  structures
    .command('add')
    .description('Déclare (ou met à jour) une structure et ses services')
    .requiredOption('--siret <siret>', 'SIRET de la structure (14 chiffres)')
    .requiredOption('--name <name>', 'Raison sociale')
    .option('--service <CODE=Libellé>', 'service actif (répétable)', collect, [])
    .option('--inactive-service <CODE=Libellé>', 'service inactif (répétable)', collect, [])
    .option('--service-required', 'code service obligatoire', false)
    .option('--engagement-required', "numéro d'engagement obligatoire", false)
    .option('--engagement-or-service-required', "numéro d'engagement ou code service obligatoire (l'un des deux)", false)
    .option('--payment-delay-days <n>', 'délai global de paiement (30 ; 50 pour un établissement de santé)', nonNegativeInt)
    .option('--public-health-body', 'établissement public de santé : délai global de paiement de 50 jours')
    .option('--no-public-health-body', "n'est pas un établissement public de santé : délai de 30 jours")
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(StructuresService)).upsert({
        siret: opts.siret,
        name: opts.name,
        services: [
          ...opts.service.map((s: string) => parseService(s, true)),
          ...opts.inactiveService.map((s: string) => parseService(s, false)),
        ],
        serviceRequired: opts.serviceRequired,
        engagementRequired: opts.engagementRequired,
        engagementOrServiceRequired: opts.engagementOrServiceRequired,
        paymentDelayDays: opts.paymentDelayDays,
        publicHealthBody: opts.publicHealthBody,
      });
      ctx.output(
        opts,
        view,
        (v) =>
          `Structure ${v.siret} « ${v.name} » enregistrée (${formatCount(v.services.length)} service(s), délai global de paiement ${v.paymentDelayDays} jours${v.publicHealthBody ? ', établissement public de santé' : ''}).`,
      );
    });
}

function setAccountCommand(structures: Command, ctx: CliContext): void {
  structures
    .command('set-account')
    .description('Enregistre le compte technique Chorus Pro de la structure (mot de passe chiffré, jamais affiché)')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--login <login>', 'login du compte technique')
    .requiredOption('--password <password>', 'mot de passe du compte technique')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(StructuresService)).setTechnicalAccount(opts.siret, opts.login, opts.password);
      ctx.output(opts, view, (v) => `Compte technique « ${v.technicalAccountLogin} » enregistré pour ${v.siret} « ${v.name} ».`);
    });
}

function setReturnModeCommand(structures: Command, ctx: CliContext): void {
  structures
    .command('set-return-mode')
    .description('Mode de retour des statuts vers Chorus Pro : api, file (flux CPPStatut), off ; auto = api si compte technique, sinon file')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--mode <mode>', 'api | file | off | auto')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(StructuresService)).setReturnMode(opts.siret, opts.mode);
      ctx.output(opts, view, (v) => `Retour des statuts de ${v.siret} « ${v.name} » : mode ${v.returnMode}${v.returnModeExplicit ? '' : ' (automatique)'}.`);
    });
}

function setHeliosCommand(structures: Command, ctx: CliContext): void {
  structures
    .command('set-helios')
    .description('« Comptable sous Hélios » : oui, Hélios indique à Chorus Pro la mise à disposition du comptable et la mise en paiement (Passerelle ne les envoie pas) ; non, Passerelle envoie la mise en paiement')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--comptable-helios <oui|non>', 'oui | non')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const answer = String(opts.comptableHelios).toLowerCase();
      if (!['oui', 'non', 'yes', 'no', 'true', 'false'].includes(answer)) {
        throw new DomainError('HELIOS_COMPTABLE_INVALID', `--comptable-helios : « ${opts.comptableHelios} » (oui ou non)`);
      }
      const view = await (await ctx.get(StructuresService)).setHeliosComptable(opts.siret, ['oui', 'yes', 'true'].includes(answer));
      ctx.output(opts, view, (v) => `Comptable sous Hélios pour ${v.siret} « ${v.name} » : ${v.heliosComptable ? 'oui (Passerelle n’envoie pas la mise en paiement à Chorus Pro)' : 'non (Passerelle envoie la mise en paiement à Chorus Pro)'}.`);
    });
}

function listCommand(structures: Command, ctx: CliContext): void {
  structures
    .command('list')
    .description('Liste les structures déclarées')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(StructuresService)).list();
      ctx.output(opts, list, (l) =>
        l.map((s) => {
          const services = s.services.map((x) => `${x.code}${x.active ? '' : ' (inactif)'}`).join(', ');
          return `${s.siret}  ${s.name}${services ? `  [${services}]` : ''}`;
        }),
      );
    });
}

function syncCommand(structures: Command, ctx: CliContext): void {
  structures
    .command('sync')
    .description('Relit dans Chorus Pro les services et les paramètres (code service, engagement, l’un ou l’autre obligatoires) des structures ayant un compte technique')
    .option('--siret <siret>', 'une seule structure')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const report = await (await ctx.get(StructureSyncService)).sync(opts.siret);
      ctx.output(opts, report, syncLines);
      if (report.errors > 0) process.exitCode = 1;
    });
}

function syncLines(report: StructureSyncReport): string[] {
  const lines: string[] = [];
  for (const s of report.structures) {
    if (!s.ok) {
      lines.push(`${s.siret} « ${s.name} » : échec — ${s.error?.message ?? 'erreur inconnue'}`);
      continue;
    }
    lines.push(`${s.siret} « ${s.name} » : ${formatCount(s.services)} service(s) dans Chorus Pro, ${s.changes.length ? `${formatCount(s.changes.length)} changement(s)` : 'aucun changement'}`);
    for (const c of s.changes) lines.push(`  - ${c.message}`);
  }
  lines.push(`Synchronisation terminée : ${formatCount(report.structures.length)} structure(s), ${formatCount(report.changes)} changement(s), ${formatCount(report.errors)} échec(s).`);
  return lines;
}
