import { Command } from 'commander';
import { CliContext } from '@/cli/cli.context';
import { UsersService } from '@/users/users.service';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Run on the server by the operator (database access): no --as, this is how the first admin is created. */
export function registerUsersCommands(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('Utilisateurs (agent, tresorier, admin) et jetons d’API');

  users
    .command('add')
    .description('Crée un utilisateur rattaché à une ou plusieurs structures')
    .requiredOption('--email <email>', 'adresse électronique (identifiant)')
    .requiredOption('--role <role>', 'agent | tresorier | admin (gestionnaire principal)')
    .option('--structure <SIRET...>', 'SIRET des structures (répétable)', collect, [])
    .option('--password <password>', 'mot de passe pour les pages (12 caractères au moins)')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(UsersService)).add(
        { email: opts.email, role: opts.role, structureSirets: opts.structure, password: opts.password },
        null,
      );
      if (opts.json) ctx.printJson(view);
      else ctx.print(`Utilisateur ${view.email} (${view.role}) créé, structures : ${view.structures.map((s) => s.siret).join(', ')}`);
    });

  users
    .command('token')
    .description("Crée un jeton d'API personnel ; le jeton seul est sur la dernière ligne")
    .requiredOption('--email <email>', "adresse de l'utilisateur")
    .option('--label <label>', 'libellé du jeton')
    .action(async (opts) => {
      const { token } = await (await ctx.get(UsersService)).issueToken(opts.email, opts.label ?? null, null);
      process.stderr.write('Jeton créé : conservez-le, il ne sera plus affiché.\n');
      ctx.print(token);
    });

  users
    .command('transfer-admin')
    .description('Transfère le rôle de gestionnaire principal d’une structure')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--email <email>', 'nouveau gestionnaire principal')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(UsersService)).transferMainAdmin(opts.siret, opts.email, null);
      if (opts.json) ctx.printJson(view);
      else ctx.print(`${view.email} est gestionnaire principal de ${opts.siret}`);
    });

  for (const [name, description, act] of [
    ['deactivate', 'Désactive un utilisateur : sessions closes, jetons révoqués', (svc: UsersService, email: string) => svc.deactivate(email, null)],
    ['reactivate', 'Réactive un utilisateur (ses anciens jetons restent révoqués)', (svc: UsersService, email: string) => svc.reactivate(email, null)],
  ] as const) {
    users
      .command(name)
      .description(description)
      .requiredOption('--email <email>', "adresse de l'utilisateur")
      .option('--json', 'sortie JSON')
      .action(async (opts) => {
        const view = await act(await ctx.get(UsersService), opts.email);
        if (opts.json) ctx.printJson(view);
        else ctx.print(`${view.email} : ${view.active ? 'actif' : 'désactivé'}`);
      });
  }

  users
    .command('revoke-tokens')
    .description("Révoque tous les jetons d'API d'un utilisateur")
    .requiredOption('--email <email>', "adresse de l'utilisateur")
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const result = await (await ctx.get(UsersService)).revokeTokens(opts.email, null);
      if (opts.json) ctx.printJson(result);
      else ctx.print(`${result.revoked} jeton(s) révoqué(s)`);
    });

  users
    .command('list')
    .description('Liste les utilisateurs')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(UsersService)).list(null);
      if (opts.json) return ctx.printJson(list);
      for (const u of list) ctx.print(`${u.email}  ${u.role}${u.active ? '' : ' (inactif)'}  ${u.structures.map((s) => s.siret).join(', ')}`);
    });
}
