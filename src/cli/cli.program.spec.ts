import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { buildProgram, COMMAND_REGISTRARS } from '@/cli/cli.program';
import { translateCommanderError } from '@/cli/cli.french';
import { CliContext } from '@/common/cli/cli.context';
import { parseImputation } from '@/invoices/invoice-actions.cli';
import { ACTION_INPUTS, USER_ACTIONS } from '@/invoices/invoice-state.machine';

const SRC = join(__dirname, '..');

function program(): Command {
  return buildProgram(new CliContext(() => Promise.reject(new Error('no application in this test'))));
}

function sub(root: Command, ...path: string[]): Command {
  return path.reduce((c, name) => c.commands.find((x) => x.name() === name)!, root);
}

function cliFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cliFiles(join(dir, e.name)) : e.name.endsWith('.cli.ts') ? [join(dir, e.name)] : [],
  );
}

describe('passerelle program', () => {
  it('lists every feature registrar in one place (COMMAND_REGISTRARS)', async () => {
    const registered = new Set<unknown>(COMMAND_REGISTRARS);
    for (const file of cliFiles(SRC)) {
      const exported = Object.entries((await import(file)) as Record<string, unknown>).filter(([name]) => /^register\w+Commands$/.test(name));
      expect([relative(SRC, file), exported.length > 0]).toEqual([relative(SRC, file), true]);
      for (const [name, fn] of exported) expect([relative(SRC, file), name, registered.has(fn)]).toEqual([relative(SRC, file), name, true]);
    }
  });

  it('offers each invoice action exactly the options the state machine says it takes', () => {
    const root = program();
    const flagsOf = (action: string) => sub(root, 'invoices', action).options.map((o) => o.long);
    const expected: Record<string, string[]> = { reason: ['--reason'], complement: ['--complement'], imputations: ['--imputation'], train: ['--train'] };
    for (const action of USER_ACTIONS) {
      expect([action, flagsOf(action)]).toEqual([action, ['--as', ...ACTION_INPUTS[action].flatMap((f) => expected[f]), '--json']]);
    }
    const mandateHelp = sub(root, 'invoices', 'mandate').helpInformation();
    expect(mandateHelp).toMatch(/--imputation/);
    expect(mandateHelp).not.toMatch(/--reason|--complement|motif/);
  });

  it('speaks French in help and parse errors (commander’s own words)', () => {
    const root = program();
    for (const help of [root.helpInformation(), sub(root, 'invoices').helpInformation(), sub(root, 'invoices', 'reject').helpInformation()]) {
      expect(help).toMatch(/^Utilisation : passerelle/);
      expect(help).toMatch(/afficher l’aide/);
      expect(help).not.toMatch(/Usage:|Options:|Commands:|Arguments:|display help|default:|\[command\]/);
    }
    expect(root.helpInformation()).toMatch(/afficher la version/);
    expect(sub(root, 'invoices').helpInformation()).toMatch(/help \[commande\]\s+afficher l’aide d’une commande/);
    expect(
      [
        "error: unknown option '--trian'\n(Did you mean --train?)\n",
        "error: unknown command 'frob'\n",
        "error: missing required argument 'refs'\n",
        "error: option '--as <email>' argument missing\n",
        "error: required option '--as <email>' not specified\n",
        "error: too many arguments for 'retry'. Expected 1 argument but got 2.\n",
        "error: option '--limit <n>' argument 'x' is invalid. entier positif attendu\n",
      ].map(translateCommanderError),
    ).toEqual([
      'Erreur : option inconnue « --trian » (vouliez-vous dire --train ?)\n',
      'Erreur : commande inconnue « frob »\n',
      'Erreur : argument obligatoire manquant : « refs »\n',
      'Erreur : valeur manquante pour l’option « --as <email> »\n',
      'Erreur : option obligatoire absente : « --as <email> »\n',
      'Erreur : trop d’arguments pour « retry » : 1 attendu(s), 2 reçu(s)\n',
      'Erreur : valeur « x » invalide pour l’option « --limit <n> » : entier positif attendu\n',
    ]);
  });

  it('reads imputation amounts typed with a French decimal comma', () => {
    expect(parseImputation('article=6064,fonction=020,service=COMPTA,amount=919,87,engagement=EJ1')).toEqual({
      article: '6064',
      fonction: '020',
      service: 'COMPTA',
      amount: '919.87',
      engagement: 'EJ1',
    });
    expect(parseImputation('article=6068,amount=1 494,6 €')).toEqual({ article: '6068', amount: '1494.6' });
    expect(parseImputation('amount=20,article=6068')).toEqual({ amount: '20', article: '6068' });
    expect(parseImputation('article=6068,amount=12.50').amount).toBe('12.50');
    expect(parseImputation('article=6068,amount=douze').amount).toBe('douze'); // the mandate check says why
    expect(() => parseImputation('article=6068,montant=12')).toThrow(/clé inconnue « montant »/);
  });
});
