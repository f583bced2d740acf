import { Command } from 'commander';
import { CliContext } from '@/common/cli/cli.context';
import { collect, commandGroup } from '@/common/cli/cli.options';
import { formatCount } from '@/common/money/french-format';
import { UsersService } from '@/users/users.service';
import { UserView } from '@/users/users.repository';

/** Run on the server by the operator (database access): no --as, this is how the first admin is created. */
export function registerUsersCommands(program: Command, ctx: CliContext): void {
  const users = commandGroup(program, 'users');
  addCommand(users, ctx);
  tokenCommand(users, ctx);
  transferAdminCommand(users, ctx);
  activationCommands(users, ctx);
  revokeTokensCommand(users, ctx);
  listCommand(users, ctx);
}

function structuresOf(view: UserView): string {
  return view.structures.map((s) => s.siret).join(', ');
}

function addCommand(users: Command, ctx: CliContext): void {
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
      ctx.output(opts, view, (v) => `Utilisateur ${v.email} (${v.role}) créé, structures : ${structuresOf(v)}`);
    });
}

function tokenCommand(users: Command, ctx: CliContext): void {
  users
    .command('token')
    .description("Crée un jeton d'API personnel ; le jeton seul est sur la dernière ligne")
    .requiredOption('--email <email>', "adresse de l'utilisateur")
    .option('--label <label>', 'libellé du jeton')
    .action(async (opts) => {
      const { token } = await (await ctx.get(UsersService)).issueToken(opts.email, opts.label ?? null, null);
      ctx.note('Jeton créé : conservez-le, il ne sera plus affiché.');
      ctx.print(token);
    });
}

function transferAdminCommand(users: Command, ctx: CliContext): void {
  users
    .command('transfer-admin')
    .description('Transfère le rôle de gestionnaire principal d’une structure')
    .requiredOption('--siret <siret>', 'SIRET de la structure')
    .requiredOption('--email <email>', 'nouveau gestionnaire principal')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const view = await (await ctx.get(UsersService)).transferMainAdmin(opts.siret, opts.email, null);
      ctx.output(opts, view, (v) => `${v.email} est gestionnaire principal de ${opts.siret}`);
    });
}

function activationCommands(users: Command, ctx: CliContext): void {
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
        ctx.output(opts, view, (v) => `${v.email} : ${v.active ? 'actif' : 'désactivé'}`);
      });
  }
}

function revokeTokensCommand(users: Command, ctx: CliContext): void {
  users
    .command('revoke-tokens')
    .description("Révoque tous les jetons d'API d'un utilisateur")
    .requiredOption('--email <email>', "adresse de l'utilisateur")
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const result = await (await ctx.get(UsersService)).revokeTokens(opts.email, null);
      ctx.output(opts, result, (r) => `${formatCount(r.revoked)} jeton(s) révoqué(s)`);
    });
}

function listCommand(users: Command, ctx: CliContext): void {
  users
    .command('list')
    .description('Liste les utilisateurs')
    .option('--json', 'sortie JSON')
    .action(async (opts) => {
      const list = await (await ctx.get(UsersService)).list(null);
      ctx.output(opts, list, (l) => l.map((u) => `${u.email}  ${u.role}${u.active ? '' : ' (inactif)'}  ${structuresOf(u)}`));
    });
}
